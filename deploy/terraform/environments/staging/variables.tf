variable "region" {
  type        = string
  description = "AWS region"
  default     = "ap-northeast-2"
}

variable "vpc_cidr_block" {
  type        = string
  description = "VPC address range"
  default     = "10.40.0.0/16"
}

variable "image_tag" {
  type        = string
  description = "Tag of the images to run (the git commit pushed by the release step)"
}

variable "api_certificate_arn" {
  type        = string
  description = "ACM certificate for the API and console host name (ALB)"
}

variable "devices_certificate_arn" {
  type        = string
  description = "ACM certificate for the device host name (NLB, OsmAnd over HTTPS)"
}

variable "access_log_bucket" {
  type        = string
  description = "Existing S3 bucket receiving the load balancers' access logs"
}
