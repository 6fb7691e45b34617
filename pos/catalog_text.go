package pos

import (
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// utf8BOM is the byte-order mark some editors (and Excel's "CSV UTF-8")
// put at the start of a UTF-8 file.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// catalogText reads a catalog file as text: UTF-8 without its BOM, or
// GB18030 (a superset of GBK, what Excel writes on Chinese Windows)
// decoded when the bytes are not UTF-8. UTF-16 and bytes that are
// neither are refused with the fix.
func catalogText(name string, r io.Reader) (string, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return "", fmt.Errorf("read catalog %s: %w", name, err)
	}
	if bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF}) {
		return "", &CatalogError{File: name, Msg: "is UTF-16 text; save it as \"CSV UTF-8\" (or plain CSV) instead"}
	}
	if utf8.Valid(b) {
		return string(bytes.TrimPrefix(b, utf8BOM)), nil
	}
	text, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
	if err != nil || bytes.ContainsRune(text, utf8.RuneError) {
		return "", &CatalogError{File: name, Msg: "is neither UTF-8 nor GBK/GB18030 text; save it as \"CSV UTF-8\""}
	}
	return string(bytes.TrimPrefix(text, utf8BOM)), nil
}
