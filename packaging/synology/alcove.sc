[alcove]
title="Alcove"
desc="Alcove media server (HTTP API and streaming)"
port_forward="yes"
dst.ports="8080/tcp"
