package config

import "net/url"

// deadLetterQueueURL reads DEAD_LETTER_QUEUE_URL: the queue SQS records that
// can never succeed are moved to at once (empty: none, they are redelivered
// until the recording queue's receive limit moves them).
func deadLetterQueueURL(get func(string) string) (string, error) {
	v := get("DEAD_LETTER_QUEUE_URL")
	if v == "" {
		return "", nil
	}
	if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", &Error{"DEAD_LETTER_QUEUE_URL", "must be an SQS queue URL, https://sqs.REGION.amazonaws.com/ACCOUNT/NAME"}
	}
	return v, nil
}
