// Package relay carries payment notifications to a till behind NAT.
//
// Alipay and WeChat Pay only POST notifications to a public URL. The relay
// ([Server]) runs on a public host and takes them at
//
//	POST /n/{till}/alipay
//	POST /n/{till}/wechat
//
// It keeps the raw request — the headers a till needs to verify it and the
// exact body bytes, never re-encoded — in a [Store], synced to disk, and
// only then answers the provider the way the provider expects: the text
// "success" for Alipay, 204 for WeChat. When the write fails it answers a
// failure (Alipay "fail" with 500, WeChat 500 {"code":"FAIL",…}) so the
// provider tries again. The relay never acknowledges what it has not
// stored.
//
// The default Store is one bbolt file ([BoltStore]) with one writer that
// commits every append and acknowledgement waiting for it in one
// transaction, so one fsync pair carries as many notifications as are
// posted at once (an acknowledgement alone waits a few milliseconds for
// a notification to ride with). Another backend (NATS JetStream, next) implements the
// same interface; the HTTP side and the stream do not change.
//
// The relay faces the internet, so before storing it checks what is
// cheap: a known till and channel (404), a rate per source — an IPv4
// address or an IPv6 /64 — (429), the size (413 at once from
// Content-Length), a body in within BodyTimeout (408), the shape of a
// notification of that channel (400; WeChat's signature probes 401), and
// the till's quota (507). [Serve] adds a cap on connections per source
// and the header timeout.
//
// The till ([Client]) connects out with "Authorization: Bearer <token>" and
// reads a Server-Sent Events stream:
//
//	GET /t/{till}/events
//
//	id: 7
//	event: notification
//	data: {"id":7,"channel":"wechat","received_at":"2026-…Z","header":{"Content-Type":["application/json"],…},"body":"<base64 of the exact bytes>"}
//
// with a comment line (": ping") as a heartbeat when nothing else is sent.
// Ids are a per-till sequence, increasing by one for each stored
// notification. The till acknowledges what it has stored (or refused for
// good) with
//
//	POST /t/{till}/ack   {"id": 7}   or   {"ids": [7, 8, 9]}   → 204
//
// and on every (re)connect the stream starts again with the oldest
// notification not yet acknowledged, so nothing is lost. A Last-Event-ID
// header can only move the start later than the acknowledged point, never
// earlier. Acknowledged notifications are pruned after an hour,
// unacknowledged ones after the retention window (72 h by default).
// GET /healthz gives counts to anyone and a till's own details to that
// till's token; GET /metrics (Prometheus) exists only with a metrics
// token (Options.MetricsToken) or on a separate listener ([Run]).
//
// Why SSE rather than WebSocket: it is plain HTTP, so proxies, load
// balancers and corporate firewalls pass it; the standard library serves
// and reads it with no extra dependency; its "id:" and Last-Event-ID
// fields are exactly a resume point; and the till needs only one-way push
// — the acknowledgements go back as small POSTs.
//
// The relay is not trusted. It never holds the till's private keys or the
// WeChat APIv3 key; the till verifies every relayed notification itself,
// exactly as if the provider had posted it directly
// (notify.HandleNotification on the request the Client rebuilds).
// Tokens are kept only as SHA-256 hashes (see [HashToken] and
// [LoadTokens]), compared in constant time, and never logged; neither are
// notification bodies (logs carry ids, sizes and till ids).
package relay
