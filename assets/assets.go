// Package assets holds the files qrtill embeds: the demo catalog and the
// sample configuration.
package assets

import _ "embed"

// CatalogCSV is the demo catalog: a small Chinese convenience shop, with
// valid EAN-13 barcodes.
//
//go:embed catalog.csv
var CatalogCSV []byte

// SampleConfig is the documented sample configuration file.
//
//go:embed qrtill.sample.toml
var SampleConfig []byte
