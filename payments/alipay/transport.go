package alipay

import (
	"bytes"
	"context"
	"io"
	"net/http"
)

// maxAnswer bounds an answer body; real ones are a few KB. A longer body
// is cut here, fails to parse and is reported as malformed.
const maxAnswer = 1 << 20

// redirect sends every request to another gateway (PROTOCOLS A1: the v1
// client has no host setting), keeping the path and query gopay built.
type redirect struct {
	scheme, host string
	next         http.RoundTripper
}

// RoundTrip rewrites the request's scheme and host.
func (r redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host, req.Host = r.scheme, r.host, r.host
	return r.next.RoundTrip(req)
}

// answerKey is the context key of the slot a call's answer body is kept in.
type answerKey struct{}

// answer is the raw body of one call's answer. gopay verifies the
// signature of success answers only; the provider verifies business-error
// answers itself from these bytes.
type answer struct{ body []byte }

// withAnswer returns a context whose call keeps its answer body in a.
func withAnswer(ctx context.Context) (context.Context, *answer) {
	a := &answer{}
	return context.WithValue(ctx, answerKey{}, a), a
}

// keepAnswer copies answer bodies into the calling context's slot.
// http.Client calls RoundTrip on the caller's goroutine, so the slot is
// filled before gopay's call returns.
type keepAnswer struct{ next http.RoundTripper }

// RoundTrip reads the body (up to maxAnswer) into the slot and hands gopay
// the same bytes.
func (k keepAnswer) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := k.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if a, ok := req.Context().Value(answerKey{}).(*answer); ok {
		a.body = body
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}
