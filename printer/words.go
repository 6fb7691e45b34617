package printer

// Lang is the language a document is printed in (the till's language).
type Lang string

// The languages the till speaks.
const (
	English Lang = "en"
	Chinese Lang = "zh"
)

// vocabulary is the words on paper, [en, zh].
var vocabulary = map[string][2]string{
	"copy":                  {"*** COPY ***", "*** 重印 ***"},
	"number":                {"Your number", "取单号"},
	"order":                 {"Order", "订单号"},
	"time":                  {"Time", "时间"},
	"cashier":               {"Cashier", "收银员"},
	"item":                  {"Item", "商品"},
	"qty":                   {"Qty", "数量"},
	"price":                 {"Price", "单价"},
	"amount":                {"Amount", "金额"},
	"total":                 {"Total", "合计"},
	"paid_by":               {"Paid by", "支付方式"},
	"trade_no":              {"Trade no.", "交易单号"},
	"cash_given":            {"Cash given", "实收现金"},
	"change":                {"Change", "找零"},
	"thanks":                {"Thank you, see you again!", "谢谢惠顾，欢迎再次光临！"},
	"refund":                {"REFUND", "退款单"},
	"refund_no":             {"Refund no.", "退款单号"},
	"refunded":              {"Refunded", "退款金额"},
	"order_total":           {"Order total", "订单金额"},
	"refunded_sum":          {"Refunded in all", "累计退款"},
	"reason":                {"Reason", "原因"},
	"signature":             {"Signature", "签名"},
	"z_title":               {"Z REPORT", "日结报表"},
	"day":                   {"Day", "营业日"},
	"printed":               {"Printed", "打印时间"},
	"orders":                {"Orders", "订单数"},
	"by_status":             {"Orders by status", "订单状态"},
	"by_channel":            {"Takings by channel", "各渠道收款"},
	"paid":                  {"Paid", "收款合计"},
	"refunds":               {"Refunds", "退款"},
	"double_paid":           {"Double payments returned", "重复付款退回"},
	"net":                   {"Net", "净收入"},
	"cash_drawer":           {"Cash in drawer", "钱箱应有现金"},
	"first_order":           {"First order", "首笔订单"},
	"last_order":            {"Last order", "末笔订单"},
	"none":                  {"none", "无"},
	"ch.alipay":             {"Alipay", "支付宝"},
	"ch.wechat":             {"WeChat Pay", "微信支付"},
	"ch.cash":               {"Cash", "现金"},
	"st.open":               {"open", "未支付"},
	"st.awaiting_payment":   {"awaiting payment", "待支付"},
	"st.paid":               {"paid", "已支付"},
	"st.partially_refunded": {"partly refunded", "部分退款"},
	"st.refunded":           {"refunded", "已退款"},
	"st.cancelled":          {"cancelled", "已取消"},
	"st.expired":            {"expired", "已过期"},
}

// word looks a word up; an unknown id comes back as itself.
func (l Lang) word(id string) string {
	w, ok := vocabulary[id]
	if !ok {
		return id
	}
	if l == Chinese {
		return w[1]
	}
	return w[0]
}

// ParseLang reads "en" or "zh" (as the till's --lang); anything else is
// English.
func ParseLang(s string) Lang {
	if s == string(Chinese) {
		return Chinese
	}
	return English
}
