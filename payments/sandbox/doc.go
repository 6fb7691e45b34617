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
//	GET  /sandbox/trades                      every trade, newest first
//	GET  /sandbox/trades/{out_trade_no}       one trade
//	POST /sandbox/trades/{out_trade_no}/scan  the buyer scans (created → scanned)
//	POST /sandbox/trades/{out_trade_no}/pay   the buyer pays (scans first if needed)
//	POST /sandbox/trades/{out_trade_no}/cancel the buyer gives up (unpaid → closed)
//	GET  /sandbox/faults                      the faults in force
//	POST /sandbox/faults                      replace them (JSON below; {} clears)
//	GET  /sandbox/info                        sandbox.json
//
// The POSTs take an empty body and answer 200 with the trade's JSON; an
// unknown trade is 404 and a move the trade's state refuses (cancel a
// paid trade, pay a closed one) is 409, both as {"error": "…"}. A trade's
// JSON has at least "out_trade_no", "channel" ("alipay" | "wechat"),
// "amount_fen" (integer fen), "status" ("created", "scanned", "paid",
// "closed", "refunded") and "notify_url", plus "trade_no",
// "refunded_fen", "created_at", "expires_at", "notify_attempts" and
// "notified".
//
// # Faults
//
// POST /sandbox/faults takes the whole set; absent fields are zero (off).
// Counters mean "the next N" and count down as they are used, so tests
// are exact:
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
//	 "pay_before_close": 1}      the next close or cancel finds the buyer just paid
//
// Channel wires call Gateway.InjectAPIFault first thing in every API
// request.
package sandbox
