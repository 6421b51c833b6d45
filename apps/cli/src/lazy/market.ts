// Loaded on use by `await import('../lazy/market')`: nest build rewrites @tb/* paths only in static imports, so the built
// CLI reaches a lib through this static re-export (an `import('@tb/market')` fails under dist/).
export * from '@tb/market';
