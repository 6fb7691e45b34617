package storage

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// guard runs run with memory faults turned into panics (a page past the
// end of a file cut short), and turns a panic raised inside bbolt (a
// page it cannot make sense of) into a damage. Any other panic is a bug
// and goes on.
func guard(run func() error) (err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if !fromBolt(r) {
			panic(r)
		}
		err = &damage{what: fmt.Sprintf("has a damaged page (%v)", r), panicked: true}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	return run()
}

// fromBolt reports whether the panic being recovered is a memory fault
// or was raised in bbolt's code: the first frame below the panic that is
// not the runtime's own.
func fromBolt(r any) bool {
	if _, fault := r.(interface{ Addr() uintptr }); fault {
		return true
	}
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	panicking := false
	for {
		f, more := frames.Next()
		switch {
		case f.Function == "runtime.gopanic":
			panicking = true
		case panicking && !strings.HasPrefix(f.Function, "runtime."):
			return strings.HasPrefix(f.Function, "go.etcd.io/bbolt")
		}
		if !more {
			return false
		}
	}
}
