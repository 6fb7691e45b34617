package printer

import (
	"errors"
	"fmt"
	"strings"
)

// Fault is a print job's failure: which printer, what went wrong (one of
// the sentinels, for Sentence and errors.Is) and the cause (for the log).
type Fault struct {
	Printer string // "192.168.1.50:9100", "/dev/usb/lp0"
	Step    string // "connect", "read status", "send the job", …
	Kind    error  // ErrUnreachable, ErrPaperOut, …
	Cause   error  // the underlying error, if any
}

// Error is the fault for the log: printer, step, kind and cause.
func (f *Fault) Error() string {
	s := fmt.Sprintf("print on %s: %s: %v", f.Printer, f.Step, f.Kind)
	if f.Cause != nil {
		s += ": " + f.Cause.Error()
	}
	return s
}

// Unwrap lets errors.Is find both the kind and the cause.
func (f *Fault) Unwrap() []error {
	if f.Cause == nil {
		return []error{f.Kind}
	}
	return []error{f.Kind, f.Cause}
}

func fault(printer, step string, kind, cause error) error {
	return &Fault{Printer: printer, Step: step, Kind: kind, Cause: cause}
}

// Sentence words an error of this package for the cashier, in the
// till's language, with what to do next ("press F9 to try again").
func Sentence(err error, l Lang) string {
	if err == nil {
		return ""
	}
	where := ""
	var f *Fault
	if errors.As(err, &f) {
		where = f.Printer
	}
	for _, s := range sentences {
		if !errors.Is(err, s.kind) {
			continue
		}
		if strings.Contains(s.en, "%s") {
			return pick(l, s.en, s.zh, where)
		}
		if l == Chinese {
			return s.zh
		}
		return s.en
	}
	var se *sentenceError
	if errors.As(err, &se) {
		return se.msg + "."
	}
	return pick(l, "Printing failed (%v); press F9 to try again.", "打印失败（%v），请按 F9 重试。", err)
}

// pick formats the sentence of the language.
func pick(l Lang, en, zh string, args ...any) string {
	if l == Chinese {
		return fmt.Sprintf(zh, args...)
	}
	return fmt.Sprintf(en, args...)
}

// sentences, first match wins (kinds before causes).
var sentences = []struct {
	kind   error
	en, zh string
}{
	{ErrPaperOut, "The printer at %s is out of paper; load a new roll and press F9 to try again.",
		"打印机 %s 缺纸，请装入新纸卷后按 F9 重试。"},
	{ErrCoverOpen, "The printer at %s has its cover open; close it and press F9 to try again.",
		"打印机 %s 的盖子开着，请合上后按 F9 重试。"},
	{ErrOffline, "The printer at %s is offline; check its lights and press F9 to try again.",
		"打印机 %s 处于离线状态，请检查指示灯后按 F9 重试。"},
	{ErrDenied, "The printer at %s cannot be opened by this user; add the user to the device's group (often lp or dialout) and press F9 to try again.",
		"当前用户无权打开打印机 %s，请把用户加入设备所属的组（通常是 lp 或 dialout）后按 F9 重试。"},
	{ErrUnreachable, "The printer at %s does not answer; press F9 to try again.",
		"打印机 %s 没有响应，请按 F9 重试。"},
	{ErrNoPrinter, "No printer is set up; start qrtill with --printer tcp://HOST:9100 or set [printer] address.",
		"没有设置打印机；请用 --printer tcp://HOST:9100 启动 qrtill，或设置 [printer] address。"},
	{ErrQueueFull, "Too many receipts are waiting for the printer; press F9 once it prints again.",
		"等待打印的小票太多，打印机恢复后请按 F9。"},
	{ErrClosed, "Printing has stopped because the till is closing.",
		"收银台正在关闭，已停止打印。"},
	{ErrNothingToRetry, "There is nothing to print again yet.",
		"还没有可以重新打印的内容。"},
	{ErrBusy, "The printer is still printing; wait for it and press F9 again.",
		"打印机仍在打印，请稍候再按 F9。"},
}
