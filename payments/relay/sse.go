package relay

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// maxSSELine bounds one line of the stream: a 64 KiB body is ~88 KiB of
// base64, plus headers.
const maxSSELine = 1 << 20

// sseEvent is one dispatched Server-Sent Event.
type sseEvent struct {
	ID    string
	Event string // "message" when the server named none
	Data  []byte
}

// sseReader reads events from a text/event-stream body (the WHATWG
// format: "field: value" lines, a blank line ends an event, lines
// starting with ':' are comments).
type sseReader struct {
	sc *bufio.Scanner
}

func newSSEReader(r io.Reader) *sseReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxSSELine)
	return &sseReader{sc: sc}
}

// next returns the next event. alive is called for every line read,
// heartbeat comments included.
func (s *sseReader) next(alive func()) (sseEvent, error) {
	var ev sseEvent
	var data bytes.Buffer
	hasData := false
	for s.sc.Scan() {
		alive()
		line := s.sc.Bytes()
		if len(line) == 0 {
			if !hasData {
				ev = sseEvent{}
				continue
			}
			if ev.Event == "" {
				ev.Event = "message"
			}
			ev.Data = bytes.TrimSuffix(data.Bytes(), []byte("\n"))
			return ev, nil
		}
		if line[0] == ':' {
			continue
		}
		field, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		switch string(field) {
		case "data":
			data.Write(value)
			data.WriteByte('\n')
			hasData = true
		case "id":
			ev.ID = string(value)
		case "event":
			ev.Event = string(value)
		}
	}
	if err := s.sc.Err(); err != nil {
		return sseEvent{}, fmt.Errorf("read event stream: %w", err)
	}
	return sseEvent{}, io.EOF
}
