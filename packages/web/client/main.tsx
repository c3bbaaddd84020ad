import { render } from 'preact';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { App } from './app.js';
import { interceptLinks } from './router.js';

interceptLinks();
render(<App />, document.getElementById('app')!);
