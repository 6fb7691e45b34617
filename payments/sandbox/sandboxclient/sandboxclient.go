// Package sandboxclient turns a sandbox's sandbox.json (sandbox.Info)
// into the real providers' configurations, pointed at the sandbox: the
// one place that conversion is written, for the demo till, the test kit
// and the providers' own tests.
package sandboxclient

import (
	"fmt"

	"qrtill/payments"
	"qrtill/payments/alipay"
	"qrtill/payments/sandbox"
	"qrtill/payments/wechat"
)

// Configs returns the Alipay (public-key mode) and WeChat Pay (public-key
// mode) configurations sandbox.json describes.
func Configs(info sandbox.Info) (alipay.Config, wechat.Config) {
	a := alipay.Config{AppID: info.Alipay.AppID, SellerID: info.Alipay.SellerID,
		AppPrivateKeyFile: info.Alipay.AppPrivateKeyFile, AlipayPublicKeyFile: info.Alipay.AlipayPublicKeyFile,
		GatewayURL: info.Alipay.GatewayURL}
	w := wechat.Config{MchID: info.WeChat.MchID, AppID: info.WeChat.AppID, SerialNo: info.WeChat.SerialNo,
		PrivateKeyFile: info.WeChat.PrivateKeyFile, APIv3KeyFile: info.WeChat.APIv3KeyFile,
		PublicKeyID: info.WeChat.PublicKeyID, PublicKeyFile: info.WeChat.PublicKeyFile, BaseURL: info.WeChat.BaseURL}
	return a, w
}

// Providers builds both providers from sandbox.json. They are the real
// gopay-based providers; only their addresses and keys are the sandbox's.
func Providers(info sandbox.Info) (*alipay.Provider, *wechat.Provider, error) {
	ac, wc := Configs(info)
	ap, err := alipay.New(ac)
	if err != nil {
		return nil, nil, fmt.Errorf("sandbox Alipay: %w", err)
	}
	wp, err := wechat.New(wc)
	if err != nil {
		return nil, nil, fmt.Errorf("sandbox WeChat Pay: %w", err)
	}
	return ap, wp, nil
}

var (
	_ payments.Provider = (*alipay.Provider)(nil)
	_ payments.Provider = (*wechat.Provider)(nil)
)

// AlipayCertConfig is the Alipay configuration in certificate mode (app,
// root and Alipay certificates instead of Alipay's public key).
func AlipayCertConfig(info sandbox.Info) alipay.Config {
	return alipay.Config{AppID: info.Alipay.AppID, SellerID: info.Alipay.SellerID,
		AppPrivateKeyFile: info.Alipay.AppPrivateKeyFile, AppCertFile: info.Alipay.AppCertFile,
		AlipayRootCertFile: info.Alipay.AlipayRootCertFile, AlipayCertFile: info.Alipay.AlipayCertFile,
		GatewayURL: info.Alipay.GatewayURL}
}
