package config

import (
	"regexp"
	"strings"
)

// pemBlock is one PEM block whose line breaks may have become spaces.
var pemBlock = regexp.MustCompile(`-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\s]*)-----END ([A-Z0-9 ]+)-----`)

// reflowPEM gives PEM text its line breaks back. A CloudFormation
// parameter entered at a prompt (sam deploy --guided, the console) holds
// one line, so PbxCaCert arrives with its newlines turned into spaces, and
// Go's PEM decoder needs the header, body and footer on lines of their own.
// Text that already has line breaks is returned as it is.
func reflowPEM(text string) string {
	if strings.Contains(text, "\n") {
		return text
	}
	return pemBlock.ReplaceAllStringFunc(text, func(block string) string {
		m := pemBlock.FindStringSubmatch(block)
		if m[1] != m[3] {
			return block
		}
		lines := append([]string{"-----BEGIN " + m[1] + "-----"}, strings.Fields(m[2])...)
		return strings.Join(append(lines, "-----END "+m[3]+"-----"), "\n") + "\n"
	})
}
