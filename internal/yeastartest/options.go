package yeastartest

import (
	"strings"
	"time"

	"github.com/recording-sync/recording-sync/internal/opt"
)

// Defaults of a real P-Series PBX, used for zero Options fields.
const (
	DefaultAccessTokenLifetime  = 30 * time.Minute
	DefaultRefreshTokenLifetime = 24 * time.Hour
	DefaultMaxTokens            = 8
	DefaultAPIPath              = "openapi/v1.0"
	DefaultDownloadLinkLifetime = 30 * time.Minute
	// DefaultMaxPageSize is the most rows one search page holds; the PBX
	// does not document its cap.
	DefaultMaxPageSize = 100
)

// DownloadPrefix is the path every download_resource_url starts with. It is
// not under the API path.
const DownloadPrefix = "/api/download/"

// Options configure a Simulator. Zero values mean the real PBX's defaults.
type Options struct {
	// ClientID and ClientSecret are the credentials get_token accepts. If
	// either is empty, every login fails.
	ClientID, ClientSecret string
	// AccessTokenLifetime is how long an access token is valid (default 30m).
	// It is reported as access_token_expire_time in whole seconds, rounded
	// up, at least 1.
	AccessTokenLifetime time.Duration
	// RefreshTokenLifetime is how long a refresh token is valid (default 24h).
	RefreshTokenLifetime time.Duration
	// MaxTokens is how many access tokens may be valid at once (default 8);
	// past that get_token answers 60002 MAX LIMITATION EXCEEDED.
	MaxTokens int
	// APIPath is the path the API endpoints live under (default
	// "openapi/v1.0"), without leading or trailing slash.
	APIPath string
	// DisableRange makes the download path ignore Range and always answer
	// 200 with the whole file, as a PBX that does not support Range would.
	DisableRange bool
	// ChunkedDownloads makes the download path answer without
	// Content-Length, with Transfer-Encoding: chunked, as a PBX that
	// converts a recording (to .mp3, to stereo) while it serves it may. A
	// 206 still carries the size in its Content-Range. A fault that cuts
	// such a download (ShortDownload, DropDownloadAfter) ends the connection
	// before the last chunk, as a PBX stopped mid-stream does.
	ChunkedDownloads bool
	// MP3SingleDownload makes an .mp3 download, or recording/download for an
	// .mp3, answer 70082 OVERLOAD_TASK_RUNNING while another download body
	// is being streamed, as a PBX with the .mp3 download format does.
	MP3SingleDownload bool
	// DownloadLinkLifetime is how long a download_resource_url stays valid
	// (default 30m).
	DownloadLinkLifetime time.Duration
	// Now is the simulator's clock (default time.Now): token and download
	// link expiry follow it, so that a test can expire them without
	// waiting.
	Now func() time.Time
	// TimeZone is the PBX's time zone: recording times and file names are
	// in its local time (default UTC).
	TimeZone *time.Location
	// DateFormat is the PBX's system_date_format, in which recording/search
	// writes each recording's time: "YYYY/MM/DD", "MM/DD/YYYY" or
	// "DD/MM/YYYY"; unset, recording/search writes MM/DD/YYYY (the
	// documented example) and system/information reports
	// DefaultDateFormat. File names keep YYYYMMDDhhmmss.
	DateFormat string
	// Pager makes recording/search page wrong (default PagerCorrect).
	Pager Pager
	// MaxPageSize caps the rows of one recording/search or recording/list
	// page, as a PBX does with a page_size larger than it serves (default
	// DefaultMaxPageSize).
	MaxPageSize int
}

// withDefaults returns o with every zero field set to the PBX's default.
func (o Options) withDefaults() Options {
	o.AccessTokenLifetime = opt.Positive(o.AccessTokenLifetime, DefaultAccessTokenLifetime)
	o.RefreshTokenLifetime = opt.Positive(o.RefreshTokenLifetime, DefaultRefreshTokenLifetime)
	o.MaxTokens = opt.Positive(o.MaxTokens, DefaultMaxTokens)
	o.APIPath = strings.Trim(o.APIPath, "/")
	if o.APIPath == "" {
		o.APIPath = DefaultAPIPath
	}
	o.DownloadLinkLifetime = opt.Positive(o.DownloadLinkLifetime, DefaultDownloadLinkLifetime)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.TimeZone == nil {
		o.TimeZone = time.UTC
	}
	o.MaxPageSize = opt.Positive(o.MaxPageSize, DefaultMaxPageSize)
	return o
}

// seconds reports d as the PBX does: whole seconds, rounded up, at least 1.
func seconds(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}
