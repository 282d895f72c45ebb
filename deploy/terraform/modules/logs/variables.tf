variable "name" {
  type        = string
  description = "Prefix of the log group names (/<name>/services/<service>)"
}

variable "services" {
  type        = list(string)
  description = "Services that get a log group"
}

variable "kms_key_arn" {
  type        = string
  description = "Key encrypting the log data (its policy admits CloudWatch Logs for /<name>/*)"
}

variable "retention_days" {
  type        = number
  description = "Days a log line is kept"
  default     = 365
}
