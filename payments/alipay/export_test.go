package alipay

import "time"

// SetCancelRetry changes how trade.cancel is retried, so tests need not
// wait the real 2 s between tries.
func SetCancelRetry(p *Provider, tries int, delay time.Duration) {
	p.cancelRetries, p.cancelDelay = tries, delay
}

// CurrentCertSN is the SN of the Alipay certificate the provider trusts
// now ("" in public-key mode).
func CurrentCertSN(p *Provider) string { return p.signer.Load().certSN }
