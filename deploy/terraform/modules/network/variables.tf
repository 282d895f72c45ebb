variable "name" {
  type        = string
  description = "Prefix of every resource name"
}

variable "cidr_block" {
  type        = string
  description = "VPC address range; split into /20 public (first 8) and private (next 8) subnets"
  default     = "10.40.0.0/16"
}

variable "availability_zones" {
  type        = list(string)
  description = "Zones used, one public and one private subnet each (MSK puts one broker in each)"
  default     = ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"]
}

variable "flow_log_group_arn" {
  type        = string
  description = "CloudWatch log group receiving the VPC flow logs (module logs)"
}
