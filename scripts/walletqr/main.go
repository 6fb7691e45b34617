// Command walletqr asks a running sandbox (its state dir in the first
// argument) for an Alipay QR, as a till would, and prints the QR's
// content: the URL of the wallet page a phone opens when it scans it.
// scripts/screenshots.sh uses it to photograph the wallet page.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"qrtill/payments"
	"qrtill/payments/sandbox"
	"qrtill/payments/sandbox/sandboxclient"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: walletqr SANDBOX_STATE_DIR")
		os.Exit(2)
	}
	info, err := sandbox.LoadInfo(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ap, _, err := sandboxclient.Providers(info)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	qr, err := ap.CreateQR(context.Background(), payments.QRRequest{OutTradeNo: "20261122103000000demo0001P01", AmountFen: 1250,
		Subject: "qrtill demo shop #20261122103000000demo0001", ExpiresAt: time.Now().Add(5 * time.Minute)})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(qr.Content)
}
