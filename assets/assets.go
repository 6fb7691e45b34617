// Package assets holds the files qrtill embeds: the demo catalog and the
// sample configuration.
package assets

import _ "embed"

// CatalogCSV is the demo catalog: a small Chinese convenience shop. Its
// barcodes carry valid check digits: EAN-13 from China (69…), in-store
// EAN-8 codes (2…) for loose goods like eggs, and one imported UPC-A.
//
//go:embed catalog.csv
var CatalogCSV []byte

// SampleConfig is the documented sample configuration file.
//
//go:embed qrtill.sample.toml
var SampleConfig []byte
