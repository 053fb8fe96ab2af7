#!/bin/sh
# udhcpc's hook in the Linux domU kit: configure the leased address.
case "$1" in
deconfig)
	ip addr flush dev "$interface"
	ip link set "$interface" up
	;;
bound | renew)
	ip addr flush dev "$interface"
	ip addr add "$ip/${mask:-24}" dev "$interface"
	[ -n "$router" ] && ip route add default via "${router%% *}" dev "$interface"
	[ -n "$dns" ] && for d in $dns; do echo "nameserver $d"; done >/etc/resolv.conf
	;;
esac
exit 0
