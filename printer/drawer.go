package printer

// DrawerKick opens the cash drawer without printing: a cash sale when
// receipts are not printed automatically.
type DrawerKick struct{}

// Render implements Document: ESC @ and the pulse, no paper.
func (DrawerKick) Render(Width) ([]byte, error) {
	w := &Writer{}
	w.raw(Initialize())
	w.DrawerPulse()
	return w.Bytes()
}

// Name implements Document.
func (DrawerKick) Name(l Lang) string {
	if l == Chinese {
		return "钱箱"
	}
	return "the cash drawer"
}

// Again implements Document.
func (k DrawerKick) Again() Document { return k }
