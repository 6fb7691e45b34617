package testkit

import (
	"image"
	"image/color"
	"strings"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// DecodeQR finds the QR drawn with half-block characters in a screen's
// text and decodes it (either colour scheme).
func DecodeQR(view string) (string, error) {
	var err error
	for _, inverse := range []bool{false, true} {
		var text string
		if text, err = decodeQR(view, inverse); err == nil {
			return text, nil
		}
	}
	return "", err
}

// DecodeQRAs decodes the QR of a screen as a phone sees it on a
// terminal whose ink (the █ cells) is dark (a light background) or light
// (a dark background): a QR drawn the wrong way round does not decode.
func DecodeQRAs(view string, inkIsDark bool) (string, error) { return decodeQR(view, !inkIsDark) }

// decodeQR paints the half-block cells of the view as pixels (4 px a
// module) and decodes them with gozxing.
func decodeQR(view string, inverse bool) (string, error) {
	lines := strings.Split(view, "\n")
	const px = 4
	w := 0
	for _, l := range lines {
		if n := len([]rune(l)); n > w {
			w = n
		}
	}
	img := image.NewGray(image.Rect(0, 0, (w+8)*px, (len(lines)*2+8)*px))
	ink, bg := color.Gray{0}, color.Gray{255}
	if inverse {
		ink, bg = bg, ink
	}
	for y := 0; y < img.Bounds().Dy(); y++ {
		for x := 0; x < img.Bounds().Dx(); x++ {
			img.SetGray(x, y, bg)
		}
	}
	for row, l := range lines {
		for col, c := range []rune(l) {
			top, bottom := false, false
			switch c {
			case '█':
				top, bottom = true, true
			case '▀':
				top = true
			case '▄':
				bottom = true
			}
			paint := func(on bool, half int) {
				shade := bg
				if on {
					shade = ink
				}
				for dy := 0; dy < px; dy++ {
					for dx := 0; dx < px; dx++ {
						img.SetGray((col+4)*px+dx, (row*2+half+4)*px+dy, shade)
					}
				}
			}
			paint(top, 0)
			paint(bottom, 1)
		}
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", err
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}
