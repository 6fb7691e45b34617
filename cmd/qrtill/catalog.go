package main

import (
	"bytes"
	"os"

	"qrtill/assets"
	"qrtill/config"
	"qrtill/pos"
)

// loadCatalog reads --catalog, or the embedded demo catalog. A malformed
// file is the user's to fix; the loader's error names the line and column.
func loadCatalog(cfg config.Config) (*pos.Catalog, error) {
	if cfg.Catalog == "" {
		return pos.LoadCatalogCSV("demo catalog", bytes.NewReader(assets.CatalogCSV))
	}
	f, err := os.Open(cfg.Catalog)
	if err != nil {
		return nil, badInput(err)
	}
	defer f.Close()
	c, err := pos.LoadCatalogCSV(cfg.Catalog, f)
	if err != nil {
		return nil, badInput(err)
	}
	return c, nil
}
