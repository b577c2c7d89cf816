// The parser's shape, as far as the tests read it (the package ships no types).
declare module 'parse-prometheus-text-format' {
  interface Sample {
    readonly labels?: Record<string, string>;
    readonly value: string;
  }
  interface Family {
    readonly name: string;
    readonly help: string;
    readonly type: string;
    readonly metrics: Sample[];
  }
  export default function parsePrometheusTextFormat(text: string): Family[];
}
