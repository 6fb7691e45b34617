package payments

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fakeProvider verifies a notification by a header, to test the listener
// alone; the real providers are tested against the sandbox gateway.
type fakeProvider struct{ Provider }

func (fakeProvider) Channel() Channel { return Alipay }

func (fakeProvider) ParseNotification(r *http.Request) (Notification, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return Notification{}, err
	}
	if r.Header.Get("X-Sig") != "ok" {
		return Notification{}, ErrBadSignature
	}
	return Notification{Channel: Alipay, ID: string(body)}, nil
}

func (fakeProvider) Acknowledge(w http.ResponseWriter, err error) {
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, "fail")
		return
	}
	io.WriteString(w, "success")
}

func TestNotifyHandler(t *testing.T) {
	var applied []string
	apply := func(_ context.Context, n Notification) error {
		if n.ID == "unstorable" {
			return errors.New("disk full")
		}
		applied = append(applied, n.ID)
		return nil
	}
	var logged []string
	h := NotifyHandler(map[Channel]Provider{Alipay: fakeProvider{}}, apply, func(f string, a ...any) {
		logged = append(logged, f)
	})

	tests := []struct {
		name, method, path, sig, body string
		wantCode                      int
		wantBody                      string
		wantApplied                   int
	}{
		{"valid", "POST", "/notify/alipay", "ok", "n1", 200, "success", 1},
		{"forged", "POST", "/notify/alipay", "bad", "n2", 400, "fail", 1},
		{"not stored", "POST", "/notify/alipay", "ok", "unstorable", 400, "fail", 1},
		{"too large", "POST", "/notify/alipay", "ok", strings.Repeat("x", MaxNotifyBody+1), 400, "fail", 1},
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
	if len(logged) != 3 {
		t.Errorf("logged %d rejections, want 3", len(logged))
	}
}
