package yeastartest

import (
	"maps"
	"slices"
)

// Stats is a snapshot of what clients did to a Simulator.
type Stats struct {
	// GetTokenCalls counts get_token requests, failed or not.
	GetTokenCalls int
	// TokensIssued counts successful get_token calls.
	TokensIssued int
	// FailedLogins counts get_token calls refused for their credentials
	// (-1 FAILURE); the fifth in a row from one IP blocks it.
	FailedLogins int
	// BlockedLogins counts get_token calls refused because their IP is
	// blocked (70004 ACCOUNT IP BLOCKED).
	BlockedLogins int
	// Refreshes counts successful refresh_token calls.
	Refreshes int
	// DeletedTokens counts successful del_token calls.
	DeletedTokens int
	// ValidTokens is the number of access tokens valid now.
	ValidTokens int
	// MaxValidTokens is the most access tokens ever valid at once.
	MaxValidTokens int
	// InvalidTokenRequests counts requests answered 10004 because their
	// access token (or, on refresh_token, refresh token) was missing,
	// unknown, expired or revoked. Injected faults do not count.
	InvalidTokenRequests int
	// InvalidLinkRequests counts download requests with a valid token but an
	// unknown or expired download link (answered 10004).
	InvalidLinkRequests int
	// APIRequests counts API requests by endpoint, e.g. "get_token".
	APIRequests map[string]int
	// DownloadsStarted counts download requests answered with audio (200 or
	// 206), including those cut short by a fault.
	DownloadsStarted int
	// DownloadsCompleted counts downloads whose whole requested body was sent.
	// Download stats are updated just before the bytes are written, so a
	// client that has read a whole body already sees it counted here.
	DownloadsCompleted int
	// ActiveDownloads is the number of download bodies being streamed now.
	ActiveDownloads int
	// DownloadRanges holds, in arrival order, the start offset the client
	// asked for in each started download (0 without Range). With
	// DisableRange it is still the requested offset, though 0 was served.
	DownloadRanges []int64
	// MP3Refusals counts recording/download and download requests answered
	// 70082 by the .mp3 one-download-at-a-time rule (MP3SingleDownload).
	MP3Refusals int
	// DownloadBytes is the total number of audio body bytes sent.
	DownloadBytes int64
	// BrokenPages counts recording/search answers paged wrong on purpose
	// (Options.Pager).
	BrokenPages int
	// UserAgents counts every User-Agent seen, on API and download requests;
	// "" counts requests without one.
	UserAgents map[string]int
	// Faults counts the injected faults that fired, so that a test can
	// tell a fault that was survived from one that never struck.
	Faults FaultCounts
}

// FaultCounts counts the injected faults that fired, by kind.
type FaultCounts struct {
	API       int // API answers replaced by FailAPI
	Dropped   int // downloads cut by DropDownloadAfter
	Short     int // downloads cut short by ShortDownload
	Body      int // downloads answered by DownloadBody
	Throttled int // downloads slowed by ThrottleDownload
	Revoked   int // requests refused because RevokeAll revoked their token
}

// Since returns the faults that fired after before was taken.
func (c FaultCounts) Since(before FaultCounts) FaultCounts {
	return FaultCounts{
		API: c.API - before.API, Dropped: c.Dropped - before.Dropped, Short: c.Short - before.Short,
		Body: c.Body - before.Body, Throttled: c.Throttled - before.Throttled, Revoked: c.Revoked - before.Revoked,
	}
}

// Total is the number of faults that fired, of every kind.
func (c FaultCounts) Total() int {
	return c.API + c.Dropped + c.Short + c.Body + c.Throttled + c.Revoked
}

// clone returns a deep copy of st.
func (st Stats) clone() Stats {
	st.APIRequests = maps.Clone(st.APIRequests)
	st.UserAgents = maps.Clone(st.UserAgents)
	st.DownloadRanges = slices.Clone(st.DownloadRanges)
	return st
}
