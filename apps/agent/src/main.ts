console.log('fleetban-agent: not yet');
