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
  description = "Security group of the ECS tasks (admits the NLB on the device ports)"
}

variable "certificate_arn" {
  type        = string
  description = "ACM certificate of the devices' host name (OsmAnd over HTTPS)"
}

variable "access_log_bucket" {
  type        = string
  description = "Existing S3 bucket for access logs"
}
