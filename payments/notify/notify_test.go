package notify

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"qrtill/payments"
)

// fakeVerifier verifies a notification by a header, to test the listener
// alone; the real providers are tested against the sandbox gateway.
type fakeVerifier struct{}

func (fakeVerifier) Channel() payments.Channel { return payments.Alipay }

func (fakeVerifier) ParseNotification(r *http.Request) (payments.Notification, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return payments.Notification{}, err
	}
	if r.Header.Get("X-Sig") != "ok" {
		return payments.Notification{}, payments.ErrBadSignature
	}
	return payments.Notification{Channel: payments.Alipay, ID: string(body)}, nil
}

func (fakeVerifier) Acknowledge(w http.ResponseWriter, err error) {
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, "fail")
		return
	}
	io.WriteString(w, "success")
}

func TestHandler(t *testing.T) {
	var applied []string
	apply := func(_ context.Context, n payments.Notification) error {
		if n.ID == "unstorable" {
			return errors.New("disk full")
		}
		applied = append(applied, n.ID)
		return nil
	}
	var logged bytes.Buffer
	h := Handler(map[payments.Channel]Verifier{payments.Alipay: fakeVerifier{}}, apply, slog.New(slog.NewTextHandler(&logged, nil)))

	tests := []struct {
		name, method, path, sig, body string
		wantCode                      int
		wantBody                      string
		wantApplied                   int
	}{
		{"valid", "POST", "/notify/alipay", "ok", "n1", 200, "success", 1},
		{"forged", "POST", "/notify/alipay", "bad", "n2", 400, "fail", 1},
		{"not stored", "POST", "/notify/alipay", "ok", "unstorable", 400, "fail", 1},
		{"too large", "POST", "/notify/alipay", "ok", strings.Repeat("x", MaxBody+1), 400, "fail", 1},
		{"wrong method", "GET", "/notify/alipay", "ok", "", 405, "", 1},
		{"unconfigured channel", "POST", "/notify/wechat", "ok", "n3", 404, "", 1},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
		req.Header.Set("X-Sig", tt.sig)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tt.wantCode {
			t.Errorf("%s: status %d, want %d", tt.name, rec.Code, tt.wantCode)
		}
		if tt.wantBody != "" && rec.Body.String() != tt.wantBody {
			t.Errorf("%s: body %q, want %q", tt.name, rec.Body.String(), tt.wantBody)
		}
		if len(applied) != tt.wantApplied {
			t.Errorf("%s: applied %d, want %d", tt.name, len(applied), tt.wantApplied)
		}
	}
	if n := strings.Count(logged.String(), "notification refused"); n != 3 {
		t.Errorf("logged %d refusals, want 3:\n%s", n, logged.String())
	}
	if strings.Contains(logged.String(), "xxxxxxxx") {
		t.Error("a refused body reached the log")
	}
}

func TestForged(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{payments.ErrBadSignature, true},
		{payments.ErrWrongMerchant, true},
		{payments.ErrMalformed, true},
		{errors.New("disk full"), false},
		{payments.ErrUnavailable, false},
		{nil, false},
	} {
		if got := Forged(tt.err); got != tt.want {
			t.Errorf("Forged(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
