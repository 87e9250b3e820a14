package recording

import (
	"path"
	"strings"
)

// OtherFormat is file in the PBX's other download format: its .wav
// extension as .mp3 or the reverse (in any case), or "" for another
// extension. The PBX may serve a recording its events and listings name
// x.wav as x.mp3 (stereo recordings are converted to the configured
// format), and the copy stores it under the name served: a recording is
// stored when either name's key holds it.
func OtherFormat(file string) string {
	stem := strings.TrimSuffix(file, path.Ext(file))
	switch strings.ToLower(path.Ext(file)) {
	case ".wav":
		return stem + ".mp3"
	case ".mp3":
		return stem + ".wav"
	}
	return ""
}
