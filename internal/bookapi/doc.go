// Package bookapi lets `qrtill orders`, `qrtill report` and `qrtill
// backup` work while a till runs. The running till holds the order book's
// lock, so it answers those questions itself on a unix socket in the data
// dir (DATA/qrtill.sock, mode 0600): orders of a day or of all days with a
// status filter, the day report, and a backup to a path. The commands try
// the book read-only first and ask the socket when it is locked.
//
// A Reader answers the questions: Local from a Book in this process, or
// Client through a running till's socket. Server serves a Reader on the
// socket. The protocol is HTTP/1.1 with JSON bodies, local only.
package bookapi
