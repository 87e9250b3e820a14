package config

import "net/url"

// queueURL reads the SQS queue URL in variable name: empty when it is not
// set, an error when it is required and not set, or not a URL.
func queueURL(get func(string) string, name string, required bool) (string, error) {
	v := get(name)
	if v == "" {
		if required {
			return "", &Error{name, "is required (the recording queue's URL)"}
		}
		return "", nil
	}
	if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", &Error{name, "must be an SQS queue URL, https://sqs.REGION.amazonaws.com/ACCOUNT/NAME"}
	}
	return v, nil
}
