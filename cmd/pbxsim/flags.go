package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// config is what the command line asks for.
type config struct {
	addr          string
	clientID      string
	clientSecret  string
	tokenLifetime time.Duration
	disableRange  bool
	mp3Single     bool
	recordings    recordingList
	// Many PBXs (-pbxs); pbxs is nil for the single PBX.
	pbxs         []string
	host         string // where every PBX of -pbxs listens
	faults       faultFlags
	registryFile string
}

// options turns the configuration into simulator options.
func (c config) options() yeastartest.Options {
	return yeastartest.Options{
		ClientID:            c.clientID,
		ClientSecret:        c.clientSecret,
		AccessTokenLifetime: c.tokenLifetime,
		DisableRange:        c.disableRange,
		MP3SingleDownload:   c.mp3Single,
	}
}

// parseConfig parses the command line; getenv supplies the credentials'
// defaults. Usage and errors go to errOut.
func parseConfig(args []string, getenv func(string) string, errOut io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("pbxsim", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:0", "`host:port` to listen on")
	fs.StringVar(&c.clientID, "client-id", "", "API client ID (default $PBX_CLIENT_ID)")
	fs.StringVar(&c.clientSecret, "client-secret", "", "API client secret (default $PBX_CLIENT_SECRET)")
	fs.DurationVar(&c.tokenLifetime, "token-lifetime", yeastartest.DefaultAccessTokenLifetime, "access token lifetime")
	fs.BoolVar(&c.disableRange, "disable-range", false, "ignore Range headers on downloads")
	fs.BoolVar(&c.mp3Single, "mp3-single-download", false, "allow one .mp3 download at a time (70082 otherwise)")
	fs.Var(&c.recordings, "recording", "`id:file:size` of a recording to serve (repeatable; size in bytes or with KiB, MiB, GiB)")
	pbxs := fs.String("pbxs", "", "serve many PBXs: `ids` (hq,branch) or a count (3: pbx-1..pbx-3), each with its own credentials")
	fs.Var(&c.faults, "fault", "`id=fault` of one of -pbxs: down, slow:DURATION or badcreds (repeatable)")
	fs.StringVar(&c.registryFile, "registry-file", "", "with -pbxs: `path` of the PBX registry JSON to write (mode 0600)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *pbxs != "" || c.faults != nil || c.registryFile != "" {
		return c.fleet(*pbxs)
	}
	if c.clientID == "" {
		c.clientID = getenv("PBX_CLIENT_ID")
	}
	if c.clientSecret == "" {
		c.clientSecret = getenv("PBX_CLIENT_SECRET")
	}
	if c.clientID == "" || c.clientSecret == "" {
		return config{}, errors.New("-client-id and -client-secret (or $PBX_CLIENT_ID and $PBX_CLIENT_SECRET) are required")
	}
	if c.tokenLifetime <= 0 {
		return config{}, fmt.Errorf("-token-lifetime %v: must be positive", c.tokenLifetime)
	}
	return c, nil
}

// recordingList is the repeatable -recording flag.
type recordingList []yeastartest.Recording

// String lists the recordings as they were given.
func (l *recordingList) String() string {
	parts := make([]string, len(*l))
	for i, r := range *l {
		parts[i] = fmt.Sprintf("%d:%s:%d", r.ID, r.File, r.Size)
	}
	return strings.Join(parts, ",")
}

// Set adds one id:file:size recording.
func (l *recordingList) Set(v string) error {
	r, err := parseRecording(v)
	if err != nil {
		return err
	}
	*l = append(*l, r)
	return nil
}

// parseRecording parses id:file:size. The file name may contain colons:
// the id ends at the first colon and the size starts after the last one.
func parseRecording(v string) (yeastartest.Recording, error) {
	idText, rest, ok := strings.Cut(v, ":")
	i := strings.LastIndex(rest, ":")
	if !ok || i < 0 {
		return yeastartest.Recording{}, fmt.Errorf("recording %q: want id:file:size", v)
	}
	file, sizeText := rest[:i], rest[i+1:]
	id, err := strconv.Atoi(idText)
	if err != nil {
		return yeastartest.Recording{}, fmt.Errorf("recording %q: id: %w", v, err)
	}
	if file == "" {
		return yeastartest.Recording{}, fmt.Errorf("recording %q: empty file name", v)
	}
	size, err := parseSize(sizeText)
	if err != nil {
		return yeastartest.Recording{}, fmt.Errorf("recording %q: size: %w", v, err)
	}
	return yeastartest.Recording{ID: id, File: file, Size: size}, nil
}

// sizeUnits are the suffixes a size may carry.
var sizeUnits = []struct {
	suffix string
	mult   int64
}{
	{"GiB", 1 << 30},
	{"MiB", 1 << 20},
	{"KiB", 1 << 10},
}

// parseSize parses a byte count, plain or with a KiB, MiB or GiB suffix.
func parseSize(s string) (int64, error) {
	mult := int64(1)
	for _, u := range sizeUnits {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = n, u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, err
	}
	if n < 0 || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("%s: out of range", s)
	}
	return n * mult, nil
}
