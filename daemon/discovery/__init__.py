"""Being found on the LAN: the kiosk's mirror announced over multicast DNS (DNS-SD,
`_http._tcp`) and the address a phone should open, for the QR code on the screen.

- `hosts`: the host's addresses as the LAN sees them, the mirror's URL;
- `advert`: what is announced (name, port, addresses, TXT) as a zeroconf ServiceInfo;
- `announcer`: the `discovery` thread that owns the Zeroconf instance, keeps the advert
  in step with the config and the host's addresses, and withdraws it on stop.

May import: of spirokiosk only web.urls (the URL's spelling, shared with the web server);
zeroconf, ifaddr. The service imports it.
"""
