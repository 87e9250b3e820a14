package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/recording-sync/recording-sync/pkg/config"
)

// checkBucket asks S3 for the bucket (HeadBucket) with the caller's
// credentials; nothing is written.
func checkBucket(ctx context.Context, awsCfg aws.Config, cfg config.Config, rep *reporter) {
	const name = "bucket"
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) { o.UsePathStyle = cfg.S3PathStyle })
	_, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(cfg.Bucket)})
	var notFound *s3types.NotFound
	switch {
	case err == nil:
		rep.step(statusOK, name, fmt.Sprintf("s3://%s reachable with these AWS credentials (HeadBucket; nothing written)", cfg.Bucket), "")
	case errors.As(err, &notFound) || apiCode(err) == "NoSuchBucket":
		rep.step(statusFail, name, fmt.Sprintf("s3://%s does not exist: %v", cfg.Bucket, err),
			"set RECORDINGS_BUCKET to the stack's BucketName output, and AWS_REGION to the stack's region")
	case apiCode(err) == "Forbidden" || apiCode(err) == "AccessDenied":
		rep.step(statusFail, name, fmt.Sprintf("s3://%s: access denied: %v", cfg.Bucket, err),
			"use AWS credentials allowed s3:ListBucket on the bucket (an operator's role in the stack's account)")
	default:
		rep.step(statusFail, name, fmt.Sprintf("s3://%s: %v", cfg.Bucket, err), "check AWS_REGION, the credentials and, for a local S3 server, AWS_ENDPOINT_URL_S3")
	}
}

// checkQueue asks SQS for the queue (GetQueueUrl) with the caller's
// credentials; no message is sent.
func checkQueue(ctx context.Context, awsCfg aws.Config, queueURL string, rep *reporter) {
	const name = "queue"
	if queueURL == "" {
		rep.step(statusWarn, name, "RECORDINGS_QUEUE_URL is not set: not checked", "set it to the stack's QueueUrl output")
		return
	}
	owner, queue, ok := splitQueueURL(queueURL)
	if !ok {
		rep.step(statusFail, name, "RECORDINGS_QUEUE_URL "+queueURL+" is not a queue URL", "want https://sqs.REGION.amazonaws.com/ACCOUNT/NAME")
		return
	}
	_, err := sqs.NewFromConfig(awsCfg).GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(queue), QueueOwnerAWSAccountId: aws.String(owner)})
	var missing *sqstypes.QueueDoesNotExist
	switch {
	case err == nil:
		rep.step(statusOK, name, fmt.Sprintf("%s reachable with these AWS credentials (GetQueueUrl; nothing sent)", queue), "")
	case errors.As(err, &missing):
		rep.step(statusFail, name, fmt.Sprintf("queue %s of account %s does not exist: %v", queue, owner, err),
			"set RECORDINGS_QUEUE_URL to the stack's QueueUrl output, and AWS_REGION to the stack's region")
	default:
		rep.step(statusFail, name, fmt.Sprintf("queue %s: %v", queue, err), "use AWS credentials allowed sqs:GetQueueUrl on the queue; check AWS_REGION")
	}
}

// splitQueueURL returns the account and name of an SQS queue URL.
func splitQueueURL(raw string) (owner, name string, ok bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", "", false
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return "", "", false
	}
	return parts[0], parts[1], true
}

// apiCode is the AWS error code of err, or "".
func apiCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}
