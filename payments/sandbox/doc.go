// Package sandbox is a local payment gateway that speaks the Alipay
// OpenAPI (POST /gateway.do) and WeChat Pay v3 (/v3/…) wire protocols
// with real signatures, so unmodified gopay clients run against it
// offline. It keeps its own keys, serves a wallet page where a phone
// "scans and pays", delivers signed notifications with the providers'
// retry schedules (compressible by a time-scale), exposes a JSON control
// API for demos and tests, and injects faults on demand.
//
// The channel wire formats live in alipay*.go and wechat*.go and plug in
// through the Wire interface; the rest is the channel-neutral core:
// trades (ledger.go, persisted to StateDir/trades.json), keys and ids
// (keys.go, certs.go), the gateway and sandbox.json (gateway.go), the
// control API (control.go), faults (faults.go), notification delivery
// (notify.go), the wallet page (wallet.go) and serving (run.go).
//
// # Control API
//
//	GET  /sandbox/trades                        every trade, newest first
//	GET  /sandbox/trades/{out_trade_no}         one trade
//	POST /sandbox/trades/{out_trade_no}/scan    the buyer scans (created → scanned)
//	POST /sandbox/trades/{out_trade_no}/pay     the buyer pays (scans first if needed)
//	POST /sandbox/trades/{out_trade_no}/cancel  the buyer gives up (unpaid → closed)
//	POST /sandbox/trades/{out_trade_no}/refund  {"amount_fen": N}: a refund made outside
//	                                            the till, as the merchant platform would
//	GET  /sandbox/faults                        the faults in force
//	POST /sandbox/faults                        replace them (JSON below; {} clears)
//	GET  /sandbox/info                          sandbox.json
//
// They answer callers on this machine only (a loopback address, or this
// machine through the address it reached the gateway on); anyone else
// gets 403. The wallet page (/pay/…) and the provider APIs stay open to
// the LAN.
//
// scan, pay and cancel take an empty body and answer 200 with the
// trade's JSON; an unknown trade is 404 and a move the trade's state
// refuses (cancel a paid trade, pay a closed one) is 409, both as
// {"error": "…"}. refund answers 200 with the trade's JSON, 404 for an
// unknown trade, 400 for a missing or non-positive amount_fen, and 409
// for a trade not paid, finished, or with less left to refund; the
// refund obeys the refund faults and its notification (WeChat REFUND.*,
// Alipay's trade notification with refund_fee) goes to the trade's
// notify_url. A trade's JSON has at least "out_trade_no", "channel"
// ("alipay" | "wechat"), "amount_fen" (integer fen), "status" ("created",
// "scanned", "paid", "closed", "refunded") and "notify_url", plus
// "trade_no", "refunded_fen", "refunds" (each with "refund_no",
// "amount_fen", "status": processing | success | abnormal | closed,
// "external"), "finished", "created_at", "expires_at", "notify_attempts"
// and "notified".
//
// # Faults
//
// POST /sandbox/faults takes the whole set; absent fields are zero (off).
// Counters mean "the next N" and count down as they are used, so tests
// are exact; a set that makes no sense is refused with 400:
//
//	{"latency_ms": 200,          every API call waits this long first
//	 "fail_next": 2,             the next 2 API calls answer HTTP 503
//	 "fail_percent": 10,         then each API call fails with this chance …
//	 "seed": 1,                  … drawn from a generator seeded with this
//	 "timeout_next": 1,          the next API call hangs until the client gives up
//	 "drop_notify": 1,           the next payment notification is never sent
//	 "duplicate_notify": 1,      the next one is delivered twice
//	 "reorder_notify": 1,        the next one is held back one retry interval,
//	                             and a stale copy follows after it was acknowledged
//	 "bad_signature_notify": 1,  the next one's first delivery has a broken
//	                             signature; the retries are signed correctly
//	 "wrong_amount_notify": 1,   the next one claims 1 fen more, correctly signed
//	                             (every delivery of it)
//	 "pay_before_close": 1,      the next close or cancel finds the buyer just paid
//	 "close_refuse_next": 1,     the next close is refused with this code (Alipay
//	 "close_refuse_code": "ACQ.REASON_TRADE_STATUS_INVALID",
//	                             40004 sub_code, WeChat HTTP 400 code); with
//	                             pay_before_close: refused because just paid
//	 "refund_processing": 1,     the next refund is processing for 1 min × time-scale,
//	                             then succeeds (WeChat PROCESSING; Alipay fund_change
//	                             N, and no refund data in the refund query until done)
//	 "refund_abnormal": 1,       the next WeChat refund is processing, then ABNORMAL
//	 "refund_closed": 1,         the next WeChat refund is processing, then CLOSED
//	 "refund_delay_ms": 500,     processing refunds take this long instead (not scaled)
//	 "refund_lost_reply": 1,     the next refund is made but the answer is lost:
//	 "refund_lost_reply_status": 500,  WeChat answers this HTTP status (500 if 0),
//	                             Alipay 20000 isp.unknow-error
//	 "refund_rate_limited": 1,   the next WeChat refund answers 429 FREQUENCY_LIMITED,
//	                             and is not made
//	 "alipay_finished": 1,       the next Alipay payment is TRADE_FINISHED at once
//	                             (refunds refused with ACQ.TRADE_HAS_FINISHED)
//	 "alipay_cert_rotated": true,  Alipay rotated its certificate: certificate-mode
//	                             answers and notifications are signed with the new
//	                             key and carry the new SN; alipay.open.app.alipaycert.download
//	                             hands out the new certificate (chained to the root)
//	 "wechat_signing": "switching"}  how WeChat Pay signs: "public_key" (default),
//	                             "platform_certificate" (GET /v3/certificates hands
//	                             it out) or "switching" (answers as the request's
//	                             Wechatpay-Serial asks; notifications alternate,
//	                             the platform certificate first)
//
// # Notifications
//
// Payment notifications go to the notify_url of the request that made
// the trade; refund notifications to the refund request's notify_url
// (WeChat) or the trade's (Alipay, and refunds made through the control
// API), once the refund has settled. Each delivery must be answered
// within the provider's deadline (WeChat 5 s, Alipay 10 s; × time-scale,
// at least 1 s) or it counts as failed and is retried on the provider's
// schedule.
//
// Channel wires call Gateway.InjectAPIFault first thing in every API
// request. New registers the Alipay and WeChat Pay wires explicitly;
// Register adds others (tests).
package sandbox
