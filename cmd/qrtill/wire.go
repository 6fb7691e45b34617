package main

import (
	"errors"

	"github.com/spf13/cobra"

	"qrtill/config"
)

// errNotBuilt is returned by commands whose service has not landed yet.
var errNotBuilt = errors.New("is not built yet in this version; see README.md for what is available")

func runTill(cmd *cobra.Command, cfg config.Config) error {
	if _, err := loadCatalog(cfg); err != nil {
		return err
	}
	db, err := openStore(cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	return errors.New("the till screen " + errNotBuilt.Error())
}

func runSandbox(cmd *cobra.Command, cfg config.Config) error {
	return errors.New("qrtill sandbox " + errNotBuilt.Error())
}

func runServe(cmd *cobra.Command, cfg config.Config) error {
	return errors.New("qrtill serve " + errNotBuilt.Error())
}

func runRelay(cmd *cobra.Command, cfg config.Config) error {
	return errors.New("qrtill relay " + errNotBuilt.Error())
}
