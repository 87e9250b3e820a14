package app

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/recording-sync/recording-sync/pkg/copyhandler"
	"github.com/recording-sync/recording-sync/pkg/queue"
)

// deadLetters is the queue SQS records that can never succeed are moved
// to, or nil when DEAD_LETTER_QUEUE_URL is not set (the queue's retries
// then move them). AWS_ENDPOINT_URL_SQS is read by the SDK itself.
func deadLetters(awsCfg aws.Config, queueURL string) copyhandler.DeadLetterQueue {
	if queueURL == "" {
		return nil
	}
	return queue.New(sqs.NewFromConfig(awsCfg), queueURL)
}
