// Package printer prints the till's paper: the customer's receipt, the
// refund slip and the day's closing (Z) report, on 58 mm (32 columns) and
// 80 mm (48 columns) ESC/POS thermal printers, and opens the cash drawer
// that hangs off the printer.
//
// No maintained Go ESC/POS library is available, so the few commands the
// till needs are written here (commands.go), each documented with the
// page of the Epson "ESC/POS Command Reference for TM Printers"
// (https://download4.epson.biz/sec_pubs/pos/reference_en/escpos/) it
// follows, and tested byte for byte. Text goes out in GB18030 with the
// printer in Chinese (Kanji) character mode, so Chinese prints on the
// Chinese-market printers shops buy.
//
// The layouts (receipt.go, refund.go, zreport.go) measure text in the
// printer's cells: a one-byte character takes one cell and a two- or
// four-byte GB18030 character two (the printer's 12×24 and 24×24 dot
// fonts), so columns line up in both languages.
//
// A Transport carries one job to the printer: tcp://HOST:9100 (the raw
// port) or a device path such as /dev/usb/lp0, opened per job. The
// Service queues jobs and prints them in the background, so printing
// never blocks or fails a sale; each job's outcome comes back as a
// sentence a cashier can read, and Retry (F9) prints the last job again.
//
// The subpackages decode an ESC/POS stream back into text (decode) and
// run a fake network printer (sim) for demos and tests.
package printer
