package tui

import "qrtill/pos"

// Lang is a screen language.
type Lang string

// The languages the till speaks.
const (
	English Lang = "en"
	Chinese Lang = "zh"
)

// msg ids → words. The English status words are a contract (DESIGN.md).
var messages = map[string][2]string{ // [en, zh]
	"title":                 {"qrtill", "qrtill 收银台"},
	"scan":                  {"Scan or type a barcode, SKU or name", "扫码或输入条码、编号、名称"},
	"basket.empty":          {"The basket is empty. Scan a product to start.", "购物篮是空的，扫描商品开始。"},
	"col.item":              {"Item", "商品"},
	"col.qty":               {"Qty", "数量"},
	"col.price":             {"Price", "单价"},
	"col.total":             {"Total", "小计"},
	"total":                 {"Total", "合计"},
	"matches":               {"Matches", "匹配"},
	"order":                 {"Order", "订单"},
	"choose":                {"Choose how the customer pays", "请选择支付方式"},
	"ch.alipay":             {"Alipay", "支付宝"},
	"ch.wechat":             {"WeChat Pay", "微信支付"},
	"st.creating":           {"Asking for a QR code…", "正在生成二维码…"},
	"st.waiting":            {"Waiting for scan", "等待扫码"},
	"st.scanned":            {"Scanned", "已扫码"},
	"st.scanned2":           {"the customer is confirming", "顾客正在确认付款"},
	"st.paid":               {"PAID", "已支付"},
	"st.cancelled":          {"Cancelled", "已取消"},
	"st.expired":            {"Expired", "已过期"},
	"st.closing":            {"Cancelling…", "正在取消…"},
	"st.closed":             {"Closed by the customer", "顾客已关闭"},
	"st.failed":             {"Payment failed", "支付失败"},
	"elapsed":               {"Elapsed", "已用时"},
	"left":                  {"Time left", "剩余"},
	"lastpoll":              {"Last check", "上次查询"},
	"events":                {"Events", "事件"},
	"toosmall":              {"Make the window at least %d×%d to show the QR code.", "请把窗口放大到至少 %d×%d 以显示二维码。"},
	"receipt":               {"Receipt", "小票"},
	"paidby":                {"Paid by", "支付方式"},
	"tradeno":               {"Trade no.", "交易号"},
	"paidat":                {"Paid at", "支付时间"},
	"reconciling":           {"Checking open payments…", "正在核对未完成的支付…"},
	"reconciled":            {"Open payments checked", "未完成的支付已核对"},
	"nothing":               {"Nothing was left open.", "没有未完成的支付。"},
	"continue":              {"Press Enter to continue.", "按回车继续。"},
	"again":                 {"Press 1 or 2 to try again, Esc to cancel the sale.", "按 1 或 2 重试，Esc 取消本单。"},
	"nextsale":              {"Press Enter for the next sale.", "按回车开始下一单。"},
	"help":                  {"Keys", "按键"},
	"tiny":                  {"The window is too small; make it at least 60×16.", "窗口太小，请至少 60×16。"},
	"k.add":                 {"add", "添加"},
	"k.move":                {"move", "移动"},
	"k.qty":                 {"quantity", "数量"},
	"k.remove":              {"remove", "删除"},
	"k.pay":                 {"check out", "结账"},
	"k.alipay":              {"Alipay", "支付宝"},
	"k.wechat":              {"WeChat Pay", "微信支付"},
	"k.cancel":              {"cancel payment", "取消支付"},
	"k.invert":              {"invert QR", "反色二维码"},
	"k.next":                {"next sale", "下一单"},
	"k.help":                {"help", "帮助"},
	"k.quit":                {"quit", "退出"},
	"e.unknown":             {"No product with code %s.", "没有编号为 %s 的商品。"},
	"orders":                {"Orders", "订单"},
	"orders.none":           {"No orders on this day.", "这一天没有订单。"},
	"report":                {"Day report", "日报"},
	"report.paid":           {"Paid", "已收款"},
	"report.refunded":       {"Refunded", "已退款"},
	"report.net":            {"Net", "净收入"},
	"refund":                {"Refund", "退款"},
	"refund.amount":         {"Refund amount:", "退款金额："},
	"refund.confirm":        {"Refund %s to the customer? Press y to confirm, any other key to stop.", "确认退款 %s 给顾客？按 y 确认，其他键取消。"},
	"refund.range":          {"Enter an amount from ¥0.01 to %s.", "请输入 ¥0.01 到 %s 之间的金额。"},
	"refund.no":             {"This order cannot be refunded here.", "这笔订单不能在这里退款。"},
	"refund.busy":           {"Refunding…", "正在退款…"},
	"refund.done":           {"Refund done.", "退款完成。"},
	"os.open":               {"open", "未支付"},
	"os.awaiting_payment":   {"awaiting payment", "待支付"},
	"os.paid":               {"paid", "已支付"},
	"os.cancelled":          {"cancelled", "已取消"},
	"os.expired":            {"expired", "已过期"},
	"os.refunded":           {"refunded", "已退款"},
	"os.partially_refunded": {"partly refunded", "部分退款"},
	"k.orders":              {"orders", "订单"},
	"k.report":              {"day report", "日报"},
	"k.open":                {"details", "详情"},
	"k.refund":              {"refund", "退款"},
	"k.payagain":            {"pay again", "重新支付"},
	"k.prevday":             {"day before", "前一天"},
	"k.nextday":             {"day after", "后一天"},
	"k.back":                {"back", "返回"},
	"filter.all":            {"all", "全部"},
	"k.filter":              {"filter status", "筛选状态"},
	"leave":                 {"Press Enter to start the next sale; the till keeps closing this QR.", "按回车开始下一单；收银台会继续关闭这个二维码。"},
	"shutdown":              {"The till server is shutting down; open payments are kept.", "收银服务器正在关闭，未完成的支付会保留。"},
	"e.noproduct":           {"No such product.", "没有这个商品。"},
	"e.empty":               {"The basket is empty.", "购物篮是空的。"},
	"e.qty":                 {"That quantity is not allowed (1 to 999).", "数量只能是 1 到 999。"},
	"e.total":               {"The total would be too large.", "金额太大了。"},
	"e.lines":               {"The basket is full.", "购物篮已满。"},
	"e.unavailable":         {"%s did not answer; retrying in %s.", "%s 没有响应，%s 后重试。"},
	"e.rejected":            {"%s refused the payment request.", "%s 拒绝了支付请求。"},
	"e.closepend":           {"%s has not confirmed the cancel yet; still trying.", "%s 尚未确认取消，正在重试。"},
	"e.paid":                {"This order is already paid.", "这笔订单已支付。"},
	"e.nochannel":           {"That payment method is not set up.", "该支付方式未配置。"},
	"e.refundpending":       {"The refund is on its way; the till keeps checking with the provider.", "退款处理中，收银台会继续向支付机构确认。"},
	"e.generic":             {"Something went wrong; the details are in the log.", "出了点问题，详情见日志。"},
	"e.notcode":             {"That is not an Alipay or WeChat Pay payment code; ask the customer to open the payment code and scan it again.", "这不是支付宝或微信的付款码，请顾客打开付款码后重新扫描。"},
	"e.coderefused":         {"%s refused the payment code; ask the customer to refresh it and scan again, or pay another way.", "%s 拒绝了付款码，请顾客刷新后重新扫描，或换一种方式付款。"},
	"e.balance":             {"%s says the customer's balance is not enough; ask them to choose another card, or pay another way.", "%s 提示顾客余额不足，请顾客换一张卡或换一种方式付款。"},
	"e.codebusy":            {"A payment code is already being charged; wait for the customer to confirm it.", "正在等待顾客确认付款码支付，请稍候。"},
	"e.cashshort":           {"That is less than the total; type at least the total, or Enter alone for the exact amount.", "现金少于合计金额；请输入不少于合计的金额，或直接按回车表示正好。"},
	"e.cashmax":             {"That is more cash than one sale takes (at most ¥100,000.00); check the amount.", "现金金额过大（单笔最多 ¥100,000.00），请核对。"},
	"e.money":               {"Type an amount in digits, like 12.50.", "请用数字输入金额，例如 12.50。"},
	"e.qtyprefix":           {"Write the quantity in digits before the *, then the code or name, like 3*6921168509256.", "请在 * 前用数字写数量，再写条码或名称，例如 3*6921168509256。"},
	"e.notopen":             {"Go back to the basket before changing this sale.", "请先回到购物篮再修改本单。"},
	"e.refundmgr":           {"Only a manager can refund.", "只有店长可以退款。"},
	"e.reportmgr":           {"Only a manager can see the day report.", "只有店长可以查看日报。"},
	"e.wrongpin":            {"That is not the manager PIN; try again.", "店长密码不对，请重试。"},
	"e.nopin":               {"No manager PIN is set; run qrtill manager-pin and add its line to the config.", "尚未设置店长密码；请运行 qrtill manager-pin 并把输出写入配置文件。"},
	"e.badpin":              {"A manager PIN is 4 to 12 digits.", "店长密码为 4 到 12 位数字。"},
}

// eventWords labels each event kind, [en, zh]. The keys are pos's
// constants, so a kind renamed or dropped in pos fails to compile here.
var eventWords = map[pos.EventKind][2]string{
	pos.EventCreated:         {"order created", "订单已创建"},
	pos.EventAttempt:         {"asking for a QR", "正在请求二维码"},
	pos.EventQRIssued:        {"QR issued", "二维码已生成"},
	pos.EventWaiting:         {"waiting for scan", "等待扫码"},
	pos.EventScanned:         {"scanned by the buyer", "顾客已扫码"},
	pos.EventPaid:            {"paid", "已支付"},
	pos.EventClosing:         {"closing the QR", "正在关闭二维码"},
	pos.EventClosed:          {"QR closed", "二维码已关闭"},
	pos.EventExpired:         {"payment window ran out", "支付已超时"},
	pos.EventFailed:          {"payment failed", "支付失败"},
	pos.EventOrderCancelled:  {"sale cancelled", "本单已取消"},
	pos.EventOrderExpired:    {"sale expired", "本单已过期"},
	pos.EventQRUnknown:       {"no answer to the QR request", "二维码请求无响应"},
	pos.EventDoublePayment:   {"paid twice; refunding the second payment", "重复支付，自动退回第二笔"},
	pos.EventLatePayment:     {"paid after cancel; refunding", "取消后付款，自动退款"},
	pos.EventRefundRequested: {"refund requested", "已申请退款"},
	pos.EventRefunded:        {"refund done", "退款完成"},
	pos.EventRefundFailed:    {"refund failed", "退款失败"},
	pos.EventCodeCharge:      {"charging the payment code", "正在扣款（付款码）"},
	pos.EventCodeUnknown:     {"no clear answer; checking", "结果未知，正在查询"},
	pos.EventWaitPassword:    {"waiting for the customer's password", "等待顾客输入密码"},
	pos.EventReversing:       {"reversing the code payment", "正在撤销付款码支付"},
	pos.EventCashPaid:        {"paid in cash", "现金已收"},
	pos.EventReopened:        {"back to the basket", "返回购物篮修改"},
	pos.EventAmended:         {"basket edited", "购物篮已修改"},
}

// T returns a message in a language.
func T(lang Lang, id string) string {
	m, ok := messages[id]
	if !ok {
		return id
	}
	if lang == Chinese {
		return m[1]
	}
	return m[0]
}
