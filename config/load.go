package config

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/spf13/pflag"
)

// Defaults returns the settings that need no config file. The data dir
// and the language come from the environment ($XDG_DATA_HOME or $HOME;
// $LC_ALL or $LANG).
func Defaults(getenv func(string) string) Config {
	var c Config
	for _, s := range settings {
		def := s.def
		if s.defFn != nil {
			def = s.defFn(getenv)
		}
		if s.field != nil && def != "" {
			if err := s.set(&c, def, s.key); err != nil {
				panic("config: bad default: " + err.Error()) // a programming error, caught by the tests
			}
		}
	}
	return c
}

// Load builds the configuration of command cmd (CmdTill for the till
// itself): defaults, then the TOML file named by --config or
// QRTILL_CONFIG, then the QRTILL_* variables of the settings cmd reads,
// then the flags set on the command line. It does not validate; call
// Validate.
func Load(cmd string, flags *pflag.FlagSet, getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	c := Defaults(getenv)
	file := getenv("QRTILL_CONFIG")
	if f := flags.Lookup("config"); f != nil && f.Changed {
		file = f.Value.String()
	}
	if file != "" {
		if err := c.readFile(file); err != nil {
			return c, err
		}
	}
	for _, s := range settings {
		if s.field == nil || !s.on(cmd) {
			continue
		}
		if v := getenv(s.env()); v != "" {
			if err := s.set(&c, v, s.env()); err != nil {
				return c, err
			}
		}
	}
	for _, s := range settings {
		if s.field == nil || s.flag == "" || !s.on(cmd) {
			continue
		}
		if f := flags.Lookup(s.flag); f != nil && f.Changed {
			if err := s.set(&c, f.Value.String(), "--"+s.flag); err != nil {
				return c, err
			}
		}
	}
	return c, nil
}

// readFile reads a TOML file over c. An unknown key, or a value of the
// wrong kind (a bare number for a duration), is an error naming it.
func (c *Config) readFile(path string) error {
	var tree map[string]any
	if _, err := toml.DecodeFile(path, &tree); err != nil {
		var perr toml.ParseError
		switch {
		case errors.As(err, &perr):
			return fmt.Errorf("config file %s line %d: %s; fix the TOML syntax", path, perr.Position.Line, perr.Message)
		case os.IsNotExist(err):
			return fmt.Errorf("config file %s does not exist; check --config", path)
		}
		return fmt.Errorf("config file %s: %v", path, err)
	}
	var unknown []string
	var firstErr error
	walk(tree, "", func(key string, v any) {
		s, ok := byKey(key)
		if !ok {
			unknown = append(unknown, key)
			return
		}
		if err := s.setFromFile(c, v, "config file "+path+": "+key); err != nil && firstErr == nil {
			firstErr = err
		}
	})
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("config file %s: unknown setting %s; see assets/qrtill.sample.toml for the names", path, strings.Join(unknown, ", "))
	}
	return firstErr
}

// walk calls fn for every value of a decoded TOML tree with its dotted key.
func walk(tree map[string]any, prefix string, fn func(key string, v any)) {
	for k, v := range tree {
		key := prefix + k
		if sub, ok := v.(map[string]any); ok {
			walk(sub, key+".", fn)
			continue
		}
		fn(key, v)
	}
}

// byKey finds the setting of a TOML key (or of an older alias).
func byKey(key string) (setting, bool) {
	for _, s := range settings {
		if s.field != nil && (s.key == key || (s.alias != "" && s.alias == key)) {
			return s, true
		}
	}
	return setting{}, false
}

// AddPersistentFlags declares on fs the flags every command takes
// (--config, --data, --lang, --demo).
func AddPersistentFlags(fs *pflag.FlagSet) {
	for _, s := range settings {
		if s.flag != "" && s.cmds == nil {
			declare(fs, s)
		}
	}
}

// AddFlags declares on fs command cmd's own flags; a command shows no
// flag it does not use.
func AddFlags(fs *pflag.FlagSet, cmd string) {
	for _, s := range settings {
		if s.flag != "" && s.cmds != nil && s.on(cmd) {
			declare(fs, s)
		}
	}
}

func declare(fs *pflag.FlagSet, s setting) {
	usage := s.usage + " (env " + s.env() + ")"
	if s.kind == kindBool {
		fs.Bool(s.flag, false, usage)
		return
	}
	fs.String(s.flag, s.def, usage)
}
