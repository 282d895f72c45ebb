output "dns_name" {
  value = aws_lb.this.dns_name
}

output "gateway_target_group_arn" {
  value = aws_lb_target_group.gateway.arn
}

output "arn_suffix" {
  value = aws_lb.this.arn_suffix
}
