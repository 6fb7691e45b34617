package relay

import (
	"context"
	"fmt"
)

// Prune deletes notifications past their retention: acknowledged ones
// older than AckedRetention (by the time of the ack) and any received
// longer than Retention ago. It reports how many it deleted. The pruning
// loop calls it every PruneEvery.
func (s *Server) Prune() (int, error) {
	now := s.opt.Clock.Now()
	return s.st.Prune(context.Background(), now.Add(-s.opt.Retention), now.Add(-s.opt.AckedRetention))
}

// pruneLoop runs Prune every PruneEvery, by the server's clock, until Close.
func (s *Server) pruneLoop() {
	defer s.loopDone.Done()
	for {
		select {
		case <-s.stop:
			return
		case <-s.opt.Clock.After(s.opt.PruneEvery):
		}
		n, err := s.Prune()
		switch {
		case err != nil:
			s.opt.Log.Warn(fmt.Sprintf("%v", err))
		case n > 0:
			s.opt.Log.Info(fmt.Sprintf("pruned %d notifications past retention", n))
		}
	}
}
