package printer

import "context"

// run is the worker: it sends queued jobs one at a time until Shutdown.
func (s *Service) run() {
	defer close(s.done)
	for {
		j, ok := s.next()
		if !ok {
			return
		}
		err := s.send(j)
		if err != nil && s.ctx.Err() != nil {
			err = ErrClosed // cut short by Shutdown
		}
		s.finish(j, err)
		s.report(Outcome{Job: j.id, Document: j.doc, Printer: s.tr.String(), Err: err})
	}
}

// next waits for a job. It returns false once the service is shut down
// and the queue is empty, after reporting jobs abandoned by a cancel.
func (s *Service) next() (*job, bool) {
	for {
		s.mu.Lock()
		if s.ctx.Err() != nil {
			left := s.queue
			s.queue = nil
			s.mu.Unlock()
			for _, j := range left {
				s.report(Outcome{Job: j.id, Document: j.doc, Printer: s.tr.String(), Err: ErrClosed})
			}
			return nil, false
		}
		if len(s.queue) > 0 {
			j := s.queue[0]
			s.queue = s.queue[1:]
			s.busy = true
			s.mu.Unlock()
			return j, true
		}
		closed := s.closed
		s.mu.Unlock()
		if closed {
			return nil, false
		}
		select {
		case <-s.wake:
		case <-s.ctx.Done():
		}
	}
}

// send gives one job to the transport within the job timeout.
func (s *Service) send(j *job) error {
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.Timeout)
	defer cancel()
	return s.tr.Print(ctx, j.data)
}

// finish records a job's end. A drawer kick that worked is not something
// to print again, so it leaves the last job as it was.
func (s *Service) finish(j *job, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.busy = false
	j.err = err
	if _, kick := j.doc.(DrawerKick); kick && err == nil {
		return
	}
	s.last = j
}
