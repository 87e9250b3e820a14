package yeastartest

import (
	"encoding/json"
	"net/http"
)

// errorBody is the PBX's answer to every failed request.
type errorBody struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// tokenBody answers get_token and refresh_token.
type tokenBody struct {
	ErrCode                int    `json:"errcode"`
	ErrMsg                 string `json:"errmsg"`
	AccessTokenExpireTime  int    `json:"access_token_expire_time"`
	AccessToken            string `json:"access_token"`
	RefreshTokenExpireTime int    `json:"refresh_token_expire_time"`
	RefreshToken           string `json:"refresh_token"`
}

// downloadURLBody answers recording/download.
type downloadURLBody struct {
	ErrCode             int    `json:"errcode"`
	ErrMsg              string `json:"errmsg"`
	File                string `json:"file"`
	DownloadResourceURL string `json:"download_resource_url"`
}

// writeJSON answers HTTP 200 with v as JSON, as the PBX answers everything.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // a write error means the client went away
}

// writeErr answers errcode with its documented errmsg.
func writeErr(w http.ResponseWriter, errcode int) {
	writeJSON(w, errorBody{ErrCode: errcode, ErrMsg: ErrMsg(errcode)})
}
