package sandbox

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// wxAuthScheme is the v3 Authorization scheme and signature type.
const wxAuthScheme = "WECHATPAY2-SHA256-RSA2048"

// wxClockSkew is how far a request's timestamp may be from the gateway's
// clock.
const wxClockSkew = 5 * time.Minute

// wxMaxBody bounds a request body.
const wxMaxBody = 1 << 20

// wxRequest is a request whose signature verified.
type wxRequest struct {
	mchID string // the signer
	body  []byte // the raw body
}

// wxHandler serves a verified request.
type wxHandler func(rw http.ResponseWriter, r *http.Request, req wxRequest)

// authed wraps h: fault injection first, then the Authorization check
// over the raw body and r.RequestURI; a failure is 401 SIGN_ERROR.
func (w *wechatWire) authed(h wxHandler) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		if w.g.InjectAPIFault(rw, r) {
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, wxMaxBody))
		if err != nil {
			w.fail(rw, http.StatusBadRequest, "PARAM_ERROR", "请求体过大或无法读取", nil)
			return
		}
		mchID, err := w.verifyRequest(r, body)
		if err != nil {
			w.fail(rw, http.StatusUnauthorized, "SIGN_ERROR", "签名错误，请检查后再试",
				&wxErrDetail{Issue: err.Error(), Location: "header"})
			return
		}
		h(rw, r, wxRequest{mchID: mchID, body: body})
	}
}

// parseWxAuthorization splits `WECHATPAY2-SHA256-RSA2048 k="v",…` and
// checks the five attributes are there.
func parseWxAuthorization(h string) (map[string]string, error) {
	scheme, rest, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || scheme != wxAuthScheme {
		return nil, errors.New("authorization scheme is not " + wxAuthScheme)
	}
	attrs := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			return nil, errors.New("malformed authorization attribute")
		}
		attrs[k] = v[1 : len(v)-1]
	}
	for _, k := range []string{"mchid", "nonce_str", "timestamp", "serial_no", "signature"} {
		if attrs[k] == "" {
			return nil, errors.New("authorization header lacks " + k)
		}
	}
	return attrs, nil
}

// verifyRequest checks the Authorization header with the merchant key
// registered for its mchid and serial_no, and the timestamp window. The
// message is METHOD\nRequestURI\ntimestamp\nnonce\nbody\n over the raw
// request-target and body bytes, never a re-encoding.
func (w *wechatWire) verifyRequest(r *http.Request, body []byte) (string, error) {
	a, err := parseWxAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return "", err
	}
	k := w.keys()
	if a["mchid"] != k.WeChatMchID || !strings.EqualFold(a["serial_no"], k.WeChatSerialNo) {
		return "", errors.New("no merchant certificate registered for this mchid and serial_no")
	}
	ts, err := strconv.ParseInt(a["timestamp"], 10, 64)
	if err != nil {
		return "", errors.New("timestamp is not unix seconds")
	}
	if d := w.g.Now().Sub(time.Unix(ts, 0)); d > wxClockSkew || d < -wxClockSkew {
		return "", errors.New("timestamp is more than 5 minutes from the gateway clock")
	}
	sig, err := base64.StdEncoding.DecodeString(a["signature"])
	if err != nil {
		return "", errors.New("signature is not base64")
	}
	msg := r.Method + "\n" + r.RequestURI + "\n" + a["timestamp"] + "\n" + a["nonce_str"] + "\n" + string(body) + "\n"
	sum := sha256.Sum256([]byte(msg))
	if rsa.VerifyPKCS1v15(&k.WeChatMerchantKey.PublicKey, crypto.SHA256, sum[:], sig) != nil {
		return "", errors.New("signature does not verify")
	}
	return a["mchid"], nil
}

// wxSigner is one of WeChat Pay's signing keys and the serial it goes by.
type wxSigner struct {
	key    *rsa.PrivateKey
	serial string
}

// publicKeySigner is the WeChat Pay public key's (PUB_KEY_ID_…);
// certSigner the platform certificate's (its serial_no).
func (w *wechatWire) publicKeySigner() wxSigner {
	k := w.keys()
	return wxSigner{key: k.WeChatPlatformKey, serial: k.WeChatPublicKeyID}
}

func (w *wechatWire) certSigner() wxSigner {
	k := w.keys()
	return wxSigner{key: k.WeChatCertKey, serial: k.Certs.WeChatSerial}
}

// answerSigner is the key an answer to r is signed with (the
// wechat_signing mode): the public key, the platform certificate, or,
// during the switch, the one the request's Wechatpay-Serial names (the
// platform certificate unless it names the public key ID).
func (w *wechatWire) answerSigner(r *http.Request) wxSigner {
	switch w.g.Faults().WeChatSigning {
	case WeChatPlatformCert:
		return w.certSigner()
	case WeChatSwitching:
		if r != nil && r.Header.Get("Wechatpay-Serial") == w.keys().WeChatPublicKeyID {
			return w.publicKeySigner()
		}
		return w.certSigner()
	}
	return w.publicKeySigner()
}

// signedHeaders sets Wechatpay-Timestamp, -Nonce, -Serial and -Signature
// (SHA256withRSA by s over ts\nnonce\nbody\n; body is nil for a 204,
// leaving an empty last line).
func (w *wechatWire) signedHeaders(h http.Header, body []byte, s wxSigner) error {
	ts := strconv.FormatInt(w.g.Now().Unix(), 10)
	nonce := randHexUpper(16)
	sum := sha256.Sum256([]byte(ts + "\n" + nonce + "\n" + string(body) + "\n"))
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.key, crypto.SHA256, sum[:])
	if err != nil {
		return err
	}
	h.Set("Wechatpay-Timestamp", ts)
	h.Set("Wechatpay-Nonce", nonce)
	h.Set("Wechatpay-Serial", s.serial)
	h.Set("Wechatpay-Signature", base64.StdEncoding.EncodeToString(sig))
	return nil
}

// wxJSON encodes v compactly without HTML escaping, as WeChat Pay does.
func wxJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// reply writes a signed 2xx answer to r; v nil means no body (204).
func (w *wechatWire) reply(rw http.ResponseWriter, r *http.Request, status int, v any) {
	var body []byte
	if v != nil {
		var err error
		if body, err = wxJSON(v); err != nil {
			w.fail(rw, http.StatusInternalServerError, "SYSTEM_ERROR", "系统错误", nil)
			return
		}
	}
	h := rw.Header()
	if err := w.signedHeaders(h, body, w.answerSigner(r)); err != nil {
		w.fail(rw, http.StatusInternalServerError, "SYSTEM_ERROR", "系统错误", nil)
		return
	}
	h.Set("Content-Type", "application/json")
	h.Set("Request-ID", wxRequestID())
	rw.WriteHeader(status)
	_, _ = rw.Write(body)
}

// wxErrDetail is the detail object of a parameter error.
type wxErrDetail struct {
	Field    string `json:"field,omitempty"`
	Value    string `json:"value,omitempty"`
	Issue    string `json:"issue,omitempty"`
	Location string `json:"location,omitempty"`
}

// fail writes an unsigned error answer {"code","message"[,"detail"]}, as
// the real gateway does (clients never verify error bodies).
func (w *wechatWire) fail(rw http.ResponseWriter, status int, code, message string, detail *wxErrDetail) {
	body, _ := wxJSON(struct {
		Code    string       `json:"code"`
		Message string       `json:"message"`
		Detail  *wxErrDetail `json:"detail,omitempty"`
	}{code, message, detail})
	h := rw.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Request-ID", wxRequestID())
	rw.WriteHeader(status)
	_, _ = rw.Write(body)
}

// paramError is 400 PARAM_ERROR naming the body field at fault.
func (w *wechatWire) paramError(rw http.ResponseWriter, field, issue string) {
	w.fail(rw, http.StatusBadRequest, "PARAM_ERROR", "参数错误："+field+" "+issue,
		&wxErrDetail{Field: field, Issue: issue, Location: "body"})
}

// wxRequestID looks like WeChat's Request-ID header.
func wxRequestID() string { return "08" + randHexUpper(15) }
