variable "name" {
  type        = string
  description = "Prefix of the resource names"
}

variable "vpc_id" {
  type        = string
  description = "VPC"
}

variable "public_subnet_ids" {
  type        = list(string)
  description = "Public subnets of the load balancer"
}

variable "tasks_security_group_id" {
  type        = string
  description = "Security group of the ECS tasks (admits the ALB on the gateway port)"
}

variable "certificate_arn" {
  type        = string
  description = "ACM certificate of the API's host name"
}

variable "access_log_bucket" {
  type        = string
  description = "Existing S3 bucket for ALB and NLB access logs (with the ELB log-delivery policy)"
}

variable "kms_key_arn" {
  type        = string
  description = "Key encrypting the WAF log group"
}

variable "gateway_port" {
  type        = number
  description = "Gateway HTTP port"
  default     = 8000
}
