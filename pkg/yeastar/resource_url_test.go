package yeastar_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// TestDownloadRefusesForeignResourceURL has a PBX hand out a
// download_resource_url that points elsewhere: the client must refuse it
// before any byte (or the access token) reaches the other listener.
func TestDownloadRefusesForeignResourceURL(t *testing.T) {
	other := newWitness(t)
	h := other.host()
	resources := []string{
		"http://" + h + "/api/download/x.wav",
		"https://" + h + "/api/download/x.wav",
		"//" + h + "/api/download/x.wav",
		"///" + h + "/api/download/x.wav",
		`\\` + h + `\api\download\x.wav`,
		`/\` + h + `/api/download/x.wav`,
		"http:/" + h + "/api/download/x.wav",
		"http:" + h + "/api/download/x.wav",
		h + "/api/download/x.wav",
		"api/download/x.wav",
		"/api/download/x.wav#http://" + h,
		"//user@" + h + "/x.wav",
		"http://user:pw@" + h + "/x.wav",
		"//user:pw@" + h + "/x.wav",
	}
	for _, res := range resources {
		t.Run(res, func(t *testing.T) {
			var sim *yeastartest.Simulator
			sim, srv := wrappedSim(t, yeastartest.Options{}, map[string]http.HandlerFunc{
				apiPrefix + "recording/download": func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "application/json")
					_ = json.NewEncoder(w).Encode(map[string]any{
						"errcode": 0, "errmsg": "SUCCESS", "file": "x.wav", "download_resource_url": res,
					})
				},
			})
			c := newClient(t, srv.URL, yeastar.Options{})
			link, err := c.RecordingDownloadLink(t.Context(), yeastar.RecordingQuery{ID: 1})
			if err == nil {
				var d *yeastar.Download
				d, err = c.Download(t.Context(), link.ResourceURL, 0)
				if err == nil {
					d.Body.Close()
				}
			}
			var cErr *yeastar.ContentError
			if !errors.As(err, &cErr) {
				t.Errorf("download of %q: err = %v, want *ContentError", res, err)
			}
			other.checkUntouched(t)
			if st := sim.Stats(); st.DownloadsStarted != 0 || st.InvalidLinkRequests != 0 {
				t.Errorf("a download request reached the PBX: %+v", st)
			}
		})
	}
}
