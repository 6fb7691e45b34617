package sandbox

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"net/http"
)

// wxCertAAD is the associated data of an encrypted platform certificate.
const wxCertAAD = "certificate"

// wxEncryptCert is a platform certificate, encrypted as /v3/certificates
// hands it out.
type wxEncryptCert struct {
	Algorithm      string `json:"algorithm"`
	Nonce          string `json:"nonce"`
	AssociatedData string `json:"associated_data"`
	Ciphertext     string `json:"ciphertext"`
}

// wxCertData is one entry of the /v3/certificates answer.
type wxCertData struct {
	SerialNo           string        `json:"serial_no"`
	EffectiveTime      string        `json:"effective_time"`
	ExpireTime         string        `json:"expire_time"`
	EncryptCertificate wxEncryptCert `json:"encrypt_certificate"`
}

// certificates answers GET /v3/certificates: the platform certificates,
// each PEM encrypted with AEAD_AES_256_GCM under the APIv3 key (a fresh
// 12-character nonce, AAD "certificate"), as the real API returns them.
// A merchant in public-key mode has none: 404 RESOURCE_NOT_EXISTS.
// algorithm_type SM2 lists none (the sandbox's certificate is RSA).
func (w *wechatWire) certificates(rw http.ResponseWriter, r *http.Request, _ wxRequest) {
	mode := w.g.Faults().WeChatSigning
	if mode != WeChatPlatformCert && mode != WeChatSwitching {
		w.fail(rw, http.StatusNotFound, "RESOURCE_NOT_EXISTS", "商户未使用平台证书，请使用微信支付公钥验签", nil)
		return
	}
	data := []wxCertData{}
	if alg := r.URL.Query().Get("algorithm_type"); alg == "" || alg == "RSA" || alg == "ALL" {
		c := w.keys().Certs
		enc, err := w.encrypt(c.WeChatPEM, wxCertAAD)
		if err != nil {
			w.fail(rw, http.StatusInternalServerError, "SYSTEM_ERROR", "系统错误", nil)
			return
		}
		data = append(data, wxCertData{SerialNo: c.WeChatSerial, EffectiveTime: wxTime(c.WeChatNotBefore),
			ExpireTime: wxTime(c.WeChatNotAfter), EncryptCertificate: enc})
	}
	w.reply(rw, r, http.StatusOK, map[string]any{"data": data})
}

// encrypt seals plain with AEAD_AES_256_GCM under the APIv3 key, a fresh
// 12-character nonce used as is, and aad.
func (w *wechatWire) encrypt(plain []byte, aad string) (wxEncryptCert, error) {
	block, err := aes.NewCipher([]byte(w.keys().WeChatAPIv3Key))
	if err != nil {
		return wxEncryptCert{}, errors.New("the APIv3 key is not an AES key")
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return wxEncryptCert{}, err
	}
	nonce := randAlnum(gcm.NonceSize())
	return wxEncryptCert{Algorithm: "AEAD_AES_256_GCM", Nonce: nonce, AssociatedData: aad,
		Ciphertext: base64.StdEncoding.EncodeToString(gcm.Seal(nil, []byte(nonce), plain, []byte(aad)))}, nil
}
