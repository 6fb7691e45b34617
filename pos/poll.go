package pos

import "time"

// PollPhase is one stretch of a polling schedule: query every Every until
// Until has passed since the QR was issued (Until 0 = for ever).
type PollPhase struct {
	Until time.Duration
	Every time.Duration
}

// PollPolicy is how often the till asks the provider about an open
// attempt. Quick at first, when a buyer who scans usually pays, then
// backing off; with a live notification path polling is only a backstop.
// MaxQueries caps the queries one attempt may cost (the final query at
// expiry is always allowed on top).
type PollPolicy struct {
	FirstDelay time.Duration
	Alone      []PollPhase // when no notification path is up
	Backstop   []PollPhase // when notifications are expected
	// FirstScan is the schedule, even when notifications are expected,
	// while an Alipay QR waits for its first scan: Alipay notifies a
	// payment but not a scan, so "Scanned" would otherwise show only at
	// the backstop's pace. After it, or once scanned, Backstop.
	FirstScan  []PollPhase
	MaxQueries int
	// Trouble backoff when the provider fails: Retry, doubling up to RetryMax.
	Retry    time.Duration
	RetryMax time.Duration
	// Code is how often a customer-presented code payment is queried
	// while the customer confirms it (or its outcome is unknown); 0 means
	// DefaultCodeEvery. It is not counted against MaxQueries: the
	// code window (TillConfig.CodeWindow) bounds it.
	Code time.Duration
}

// DefaultCodeEvery is the query interval of a code payment waiting for
// the customer's password: Alipay asks for 3–6 s, WeChat Pay for 5 s
// after USERPAYING and then every few seconds.
const DefaultCodeEvery = 3 * time.Second

// codeEvery is Code, or DefaultCodeEvery when it is not set.
func (p PollPolicy) codeEvery() time.Duration {
	if p.Code > 0 {
		return p.Code
	}
	return DefaultCodeEvery
}

// DefaultPollPolicy is the documented budget. Polling alone it sends 41
// queries over the first two minutes (every 1.5 s for 45 s, every 5 s to
// 90 s, then every 15 s), so a payment shows within about 0.75 s on the
// median. With notifications, a WeChat Pay QR costs 13 (one after 3 s,
// then every 10 s: WeChat Native has no scanned state to show), and an
// Alipay QR waiting for its first scan is asked every 2.5 s for 45 s —
// "Scanned" within about 1.25 s on the median, 2.5 s at most — then every
// 10 s: 25 queries in two minutes. No attempt costs more than 80.
func DefaultPollPolicy() PollPolicy {
	return PollPolicy{
		FirstDelay: 1500 * time.Millisecond,
		Alone: []PollPhase{
			{Until: 45 * time.Second, Every: 1500 * time.Millisecond},
			{Until: 90 * time.Second, Every: 5 * time.Second},
			{Until: 5 * time.Minute, Every: 15 * time.Second},
			{Every: 30 * time.Second},
		},
		Backstop: []PollPhase{
			{Every: 10 * time.Second},
		},
		FirstScan: []PollPhase{
			{Until: 45 * time.Second, Every: 2500 * time.Millisecond},
		},
		MaxQueries: 80,
		Retry:      2 * time.Second,
		RetryMax:   30 * time.Second,
		Code:       DefaultCodeEvery,
	}
}

// Scaled returns the policy with every duration multiplied by f, for tests
// and demos that must not wait out real schedules.
func (p PollPolicy) Scaled(f float64) PollPolicy {
	scale := func(d time.Duration) time.Duration { return time.Duration(float64(d) * f) }
	out := p
	out.FirstDelay = scale(p.FirstDelay)
	out.Retry = scale(p.Retry)
	out.RetryMax = scale(p.RetryMax)
	out.Code = scale(p.codeEvery())
	out.Alone = scalePhases(p.Alone, scale)
	out.Backstop = scalePhases(p.Backstop, scale)
	out.FirstScan = scalePhases(p.FirstScan, scale)
	return out
}

func scalePhases(in []PollPhase, scale func(time.Duration) time.Duration) []PollPhase {
	out := make([]PollPhase, len(in))
	for i, ph := range in {
		out[i] = PollPhase{Until: scale(ph.Until), Every: scale(ph.Every)}
	}
	return out
}

// Next says how long to wait before the next query, given the time since
// the QR was issued, whether notifications are expected, whether the QR
// waits for its first scan on a channel that shows one (Alipay), and how
// many queries were sent. ok is false when the budget is spent.
func (p PollPolicy) Next(elapsed time.Duration, notifying, awaitingScan bool, sent int) (wait time.Duration, ok bool) {
	if p.MaxQueries > 0 && sent >= p.MaxQueries {
		return 0, false
	}
	quickScan := notifying && awaitingScan && len(p.FirstScan) > 0 && elapsed < p.FirstScan[len(p.FirstScan)-1].Until
	switch {
	case sent == 0 && quickScan:
		return p.FirstScan[0].Every, true
	case sent == 0 && notifying:
		return 2 * p.FirstDelay, true
	case sent == 0:
		return p.FirstDelay, true
	}
	phases := p.Alone
	switch {
	case quickScan:
		phases = p.FirstScan
	case notifying:
		phases = p.Backstop
	}
	for _, ph := range phases {
		if ph.Until == 0 || elapsed < ph.Until {
			return ph.Every, true
		}
	}
	if len(phases) == 0 {
		return 0, false
	}
	return phases[len(phases)-1].Every, true
}

// backoff returns the wait after n consecutive failures (n ≥ 1).
func (p PollPolicy) backoff(n int) time.Duration {
	d := p.Retry
	for i := 1; i < n && d < p.RetryMax; i++ {
		d *= 2
	}
	if p.RetryMax > 0 && d > p.RetryMax {
		d = p.RetryMax
	}
	return d
}
