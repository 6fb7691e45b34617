package pos

import "time"

// retry is how the till tries again after a provider call failed (a
// close or a refund whose outcome is unknown): it waits the policy's
// trouble backoff (Retry, doubling up to RetryMax) before each try, and
// stops when try reports done, stop is closed or the till stops. try
// gets the number of tries that failed so far. retry reports whether
// try finished the job.
func (t *Till) retry(stop <-chan struct{}, try func(failures int) (done bool)) bool {
	for failures := 1; ; failures++ {
		if !t.sleep(stop, nil, t.cfg.Poll.backoff(failures)) {
			return false
		}
		if try(failures) {
			return true
		}
	}
}

// sleep waits for d, or until kick fires, stop is closed or the till
// stops. It reports whether the caller should go on.
func (t *Till) sleep(stop, kick <-chan struct{}, d time.Duration) bool {
	if d <= 0 {
		select {
		case <-stop:
			return false
		case <-t.ctx.Done():
			return false
		default:
			return true
		}
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-kick:
		return true
	case <-stop:
		return false
	case <-t.ctx.Done():
		return false
	}
}
