package storage

import (
	"fmt"
	"time"
)

// DefaultZone is the shop's time zone when Options.Location is nil: every
// order is filed under its calendar day in this zone, whatever the
// process's own TZ.
const DefaultZone = "Asia/Shanghai"

// shanghaiFixed stands in for Asia/Shanghai on a system without zone
// data: China has kept UTC+8 without daylight saving since 1991.
var shanghaiFixed = time.FixedZone(DefaultZone, 8*3600)

// LoadZone loads a time zone by its IANA name, as `[shop] time_zone`
// names it. Asia/Shanghai and UTC load even where the system has no
// zone data.
func LoadZone(name string) (*time.Location, error) {
	loc, err := time.LoadLocation(name)
	switch {
	case err == nil:
		return loc, nil
	case name == DefaultZone:
		return shanghaiFixed, nil
	}
	return nil, fmt.Errorf("load time zone %q: %w", name, err)
}

// DefaultLocation is the zone DefaultZone names.
func DefaultLocation() *time.Location {
	loc, _ := LoadZone(DefaultZone)
	return loc
}
