# Internet-facing NLB for the device ports of ingest: Teltonika Codec 8/8E over plain TCP
# (the terminals speak no TLS) and OsmAnd over HTTPS, TLS terminated here with the
# device host name's certificate. Targets are the ingest tasks; health is ingest's /readyz.

resource "aws_lb" "this" {
  name                             = "${var.name}-devices"
  load_balancer_type               = "network"
  internal                         = false
  subnets                          = var.public_subnet_ids
  enable_deletion_protection       = true
  enable_cross_zone_load_balancing = true
  security_groups                  = [aws_security_group.this.id]
  access_logs {
    bucket  = var.access_log_bucket
    prefix  = "${var.name}/nlb"
    enabled = true
  }
}

resource "aws_security_group" "this" {
  name        = "${var.name}-nlb"
  description = "Device ports from anywhere"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "devices" {
  for_each          = { teltonika = 5027, osmand = 443 }
  security_group_id = aws_security_group.this.id
  description       = "Device port ${each.key}"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = each.value
  to_port           = each.value
}

resource "aws_vpc_security_group_egress_rule" "ingest" {
  for_each                     = toset(["5027", "5055", "8001"])
  security_group_id            = aws_security_group.this.id
  description                  = "To the ingest tasks (${each.key})"
  referenced_security_group_id = var.tasks_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = tonumber(each.key)
  to_port                      = tonumber(each.key)
}

resource "aws_vpc_security_group_ingress_rule" "tasks_from_nlb" {
  for_each                     = toset(["5027", "5055", "8001"])
  security_group_id            = var.tasks_security_group_id
  description                  = "Ingest from the NLB (${each.key})"
  referenced_security_group_id = aws_security_group.this.id
  ip_protocol                  = "tcp"
  from_port                    = tonumber(each.key)
  to_port                      = tonumber(each.key)
}

resource "aws_lb_target_group" "this" {
  for_each             = { teltonika = 5027, osmand = 5055 }
  name                 = "${var.name}-${each.key}"
  port                 = each.value
  protocol             = "TCP"
  target_type          = "ip"
  vpc_id               = var.vpc_id
  deregistration_delay = 60 # Teltonika sessions reconnect on their own
  health_check {
    protocol = "HTTP"
    port     = "8001"
    path     = "/readyz"
    interval = 10
  }
}

resource "aws_lb_listener" "teltonika" {
  #checkov:skip=CKV_AWS_2:Teltonika terminals speak Codec 8/8E over plain TCP; the protocol has no TLS
  #checkov:skip=CKV_AWS_103:Same: a TCP listener has no TLS policy
  load_balancer_arn = aws_lb.this.arn
  port              = 5027
  protocol          = "TCP"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this["teltonika"].arn
  }
}

resource "aws_lb_listener" "osmand" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "TLS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this["osmand"].arn
  }
}
